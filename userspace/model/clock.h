// The wall clock as kpulse stamps what it collects (Snapshot::time_ns, the
// journal, recordings, events): nanoseconds since the Unix epoch.
#pragma once

#include <chrono>
#include <cstdint>

namespace kpulse::model {

inline int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What to add to a CLOCK_MONOTONIC reading (bpf_ktime_get_ns(), a task's
// start_time; steady_clock on Linux) to put it on the wall clock above, as
// the two clocks stand now. A step of the wall clock moves it, so take it
// when the reading is used, not once at start-up.
inline int64_t monotonic_to_wall_ns() {
  const auto mono = std::chrono::steady_clock::now().time_since_epoch();
  return wall_clock_ns() - std::chrono::duration_cast<std::chrono::nanoseconds>(mono).count();
}

}  // namespace kpulse::model
