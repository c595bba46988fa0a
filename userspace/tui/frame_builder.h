// The frame builder: turns a snapshot, the UI's history and state into a
// Frame of styled text. Pure (no terminal), so layout is unit-tested and the
// batch mode prints exactly what the screen shows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "tui/frame.h"
#include "tui/history.h"
#include "tui/ui_state.h"

namespace kpulse::tui {

// An active alert as the alerts view lists it (filled from analytics).
struct AlertItem {
  std::string severity;   // "critical", "warning", "info"
  std::string component;  // component key, e.g. "cgroup:/system.slice/db.service"
  std::string summary;
  int64_t since_ns = 0;
};

struct FrameInput {
  const model::Snapshot* snapshot = nullptr;  // null until the first arrives
  const History* history = nullptr;
  // Null while analytics is not wired in: the UI then says so instead of "0".
  const std::vector<AlertItem>* alerts = nullptr;
  std::string source = "live";
  const Glyphs* glyphs = &unicode_glyphs();
};

// Builds a frame of exactly `height` lines (height 0: as many as the content
// needs, for batch mode), none wider than `width`. Clamps the cursor and
// records table size and page length in `state` for the key handler.
Frame build_frame(const FrameInput& in, UiState& state, int width, int height);

}  // namespace kpulse::tui
