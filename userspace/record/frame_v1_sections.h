// Version-1 recordings kept listeners and exited tasks in frame sections of
// their own; they are components now (model/listeners_exits.h). The decoder
// reads those sections into the same components, so old recordings replay
// as new ones do. Internal to kpulse_record.
#pragma once

#include "kpulse_recording.pb.h"
#include "record/frame_codec_state.h"

namespace kpulse::record::codec {

// Appends the frame's listeners (or, with same_listeners, the role's previous
// ones) and exited tasks to `out` as components; a frame of version 2 has
// neither section and adds nothing.
void append_v1_sections(const pb::Frame& f, RoleState& role, model::Snapshot& out);

}  // namespace kpulse::record::codec
