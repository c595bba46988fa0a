// Workloads written in C++ for the integration tests (vmtest's guest has no
// fio or stress-ng): run each in a Child (a forked copy of the test).
#pragma once

#include <cstddef>
#include <string>

#include "test_env.h"

namespace kpulse::testing {

// Busy loops on `threads` threads for `seconds`. Returns 0.
int spin(int threads, double seconds);

// O_DIRECT 4 KiB reads and writes at random offsets of `device` from
// `threads` threads, each with one request in flight, an fdatasync every 64
// requests, for `seconds`. Returns 0 when every request succeeded.
int direct_io(const std::string& device, int threads, double seconds);

// Maps `mib` MiB of anonymous memory, touches every page, sleeps `seconds`.
int hold_memory(std::size_t mib, double seconds);

// A cgroup with a memory controller: the cgroup2 one (memory.max set) or,
// on hybrid hosts, the cgroup2 one plus the same path in the v1 memory
// hierarchy (limit_in_bytes set). Processes are killed and both removed
// when it goes out of scope.
class MemoryCgroup {
 public:
  explicit MemoryCgroup(const std::string& name);
  ~MemoryCgroup();
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;
  [[nodiscard]] const TestCgroup& v2() const { return v2_; }
  [[nodiscard]] const std::string& path() const { return v2_.path(); }
  // Moves the calling process into the v1 memory cgroup too (a Child is
  // placed in the cgroup2 one); call first thing in the Child's body.
  void join_v1() const;

 private:
  TestCgroup v2_;
  std::string v1_dir_;
};

}  // namespace kpulse::testing
