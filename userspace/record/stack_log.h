// The daemon's continuous CPU profile, kept beside the snapshot recording:
// for each profiling window, its busiest stacks as self-contained text lines
// in <recording>/stacks/YYYY-MM-DD.stacks (UTC day of the window's end).
//
//   S <start_ns> <end_ns> <cgroup> <pid> <comm> <count> <frames>   (tab-separated)
//   C <start_ns> <end_ns> <cgroup> <samples>                      (a cgroup's total)
//
// Frames run root first, each "k" or "u", the module, '`', the function
// ("u/usr/lib/libz.so.1`deflate;k[kernel]`do_syscall_64"). A line torn by a
// crash is skipped on reading. Size is bounded per hour by a byte budget:
// a window that would exceed it is dropped whole and counted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "model/profile_data.h"

namespace kpulse::record {

struct StackLogOptions {
  std::filesystem::path dir;  // the recording directory; stacks/ is made below it
  size_t top_stacks = 200;    // stack lines per window at most (busiest first)
  uint64_t max_bytes_per_hour = 4ull << 20;
  int keep_days = 3;  // files of older UTC days are removed (0: keep all)
};

class StackLogWriter {
 public:
  explicit StackLogWriter(StackLogOptions options);
  // Appends one window. Returns false (and writes nothing) when the window
  // would take the current hour past its budget. Throws std::runtime_error
  // when the directory or file cannot be written.
  bool append(int64_t start_ns, int64_t end_ns, const profile::Profile& window);
  [[nodiscard]] uint64_t bytes_written() const { return bytes_written_; }
  [[nodiscard]] uint64_t windows_dropped() const { return windows_dropped_; }

 private:
  void remove_old_days(int64_t day);

  StackLogOptions opt_;
  int64_t hour_ = -1;
  uint64_t hour_bytes_ = 0;
  int64_t pruned_day_ = -1;
  uint64_t bytes_written_ = 0;
  uint64_t windows_dropped_ = 0;
};

// The lines of one window: what append() writes (for tests and budgets).
std::string stack_log_lines(int64_t start_ns, int64_t end_ns, const profile::Profile& window,
                            size_t top_stacks);

struct RecordedProfile {
  profile::Profile profile;  // stacks merged over every window read
  // Per cgroup path: all its samples in those windows, including those of
  // stacks too rare to be kept.
  std::map<std::string, uint64_t> cgroup_samples;
  size_t windows = 0;
  size_t bad_lines = 0;  // torn or malformed lines skipped
};

// Every window overlapping [from_ns, to_ns] in `recording_dir`/stacks/.
// Reads about the lines of that range (and 5 minutes either side), found by
// a binary search on each day's file, so a short range is cheap in a long
// log (replay asks for a minute at each step).
RecordedProfile read_stack_log(const std::filesystem::path& recording_dir, int64_t from_ns,
                               int64_t to_ns);

}  // namespace kpulse::record
