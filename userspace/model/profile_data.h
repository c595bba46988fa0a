// A symbolised CPU profile: what `kpulse profile` writes in every format.
// Pure data, so it lives in the model: the profiler fills it and the
// recorder's stack log stores it without depending on the profiler.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kpulse::profile {

struct Frame {
  std::string function;  // "[unknown]" when the unwinder could not go further
  std::string module;    // "libz.so.1", "[kernel]", a kernel module's name
  bool kernel = false;
};

struct StackSample {
  uint64_t cgroup_id = 0;
  std::string cgroup;  // cgroup v2 path ("/" for the root), or "" if gone
  uint32_t pid = 0;    // thread group id
  std::string comm;
  std::vector<Frame> frames;  // root first, leaf last (user frames, then kernel)
  uint64_t count = 0;         // samples; nanoseconds blocked in an off-CPU profile
  // The frame-pointer walk stopped early (code without frame pointers):
  // frames below the root that could not be recovered appear as "[unknown]".
  bool user_truncated = false;
};

// Samples with the same key (process, cgroup, frames) merge into one bucket.
inline std::string stack_key(const StackSample& s) {
  std::string key = std::to_string(s.pid) + '\x1f' + std::to_string(s.cgroup_id) + '\x1f' + s.comm;
  for (const auto& f : s.frames) {
    key += '\x1f';
    key += f.function;
    key += '\x1e';
    key += f.module;
  }
  return key;
}

// What a profile's counts are: on-CPU samples, or nanoseconds blocked
// (off the CPU, from blocking to running again).
enum class ProfileMode { OnCpu, OffCpu };

struct Profile {
  ProfileMode mode = ProfileMode::OnCpu;
  std::string event;  // "cpu-clock" or "cycles"; "sched_switch" off-CPU
  uint32_t frequency_hz = 0;
  double duration_s = 0;
  uint64_t dropped = 0;  // samples refused by a full kernel map
  std::vector<StackSample> samples;

  [[nodiscard]] uint64_t total() const {
    uint64_t n = 0;
    for (const auto& s : samples) n += s.count;
    return n;
  }
};

}  // namespace kpulse::profile
