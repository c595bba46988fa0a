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

}  // namespace kpulse::model
