// Replay's CPU profile view: the stacks the daemon recorded in the minute
// before the replayed snapshot (record/stack_log.h), per busy cgroup.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "model/snapshot.h"
#include "tui/frame_builder.h"

namespace kpulse::cli {

inline constexpr int64_t kReplayProfileSpanNs = 60LL * 1'000'000'000;

// The profile view of [at_ns - kReplayProfileSpanNs, at_ns] in `recording_dir`.
tui::ProfileView replay_profile(const std::filesystem::path& recording_dir, int64_t at_ns);

// replay_profile() of each snapshot's time, remembered for the last time
// asked (the screen redraws on every key press).
std::function<tui::ProfileView(const model::Snapshot&)> make_replay_profile(
    std::filesystem::path recording_dir);

}  // namespace kpulse::cli
