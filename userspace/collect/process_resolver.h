// PID → process identity (comm, command line, cgroup path, parent, start
// time), cached across intervals.
//
// Identity is read once per process and then served from the cache; the
// start time in /proc/PID/stat (which the per-process stats reader reads
// anyway) detects PID reuse, and its comm an exec: pass them to lookup() and
// a mismatch re-reads. A process is often first seen between fork and exec,
// or inside exec before its arguments are in place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "collect/problems.h"
#include "collect/process_stats.h"
#include "model/snapshot.h"

namespace kpulse::collect {

struct ProcessInfo {
  uint32_t pid = 0;
  uint32_t ppid = 0;
  std::string comm;
  // argv joined by spaces and truncated; "[comm]" for kernel threads (empty
  // cmdline), like ps.
  std::string cmdline;
  // cgroup2 path from the "0::/..." line of /proc/PID/cgroup (v1-only hosts:
  // the name=systemd line). Empty when unknown.
  std::string cgroup;
  uint64_t start_ticks = 0;  // since boot, USER_HZ ticks (proc(5) field 22)
  double start_time_s = 0;   // since boot, seconds
  // A user process read with no arguments (inside exec, or exiting): its
  // command line is still to come. Kernel threads never have one.
  bool cmdline_pending = false;
};

// Parses /proc/PID/cgroup text into the cgroup2 path (see ProcessInfo).
std::string parse_proc_cgroup(std::string_view text);
// Turns /proc/PID/cmdline bytes into one line: NULs → spaces, trailing NULs
// dropped, at most `max_len` bytes (cut at a UTF-8 boundary is not attempted).
std::string clean_cmdline(std::string_view raw, size_t max_len);

struct ProcessResolverOptions {
  size_t cmdline_max = 256;
  // Entries not looked up for this many end_interval() calls are dropped.
  int idle_intervals = 3;
  // Hard bound on entries; when exceeded the least recently used go first.
  size_t capacity = 8192;
};

// Not thread-safe: one engine thread owns it.
class ProcessResolver {
 public:
  explicit ProcessResolver(std::string proc_root = "/proc", ProcessResolverOptions options = {});

  // Identity of `pid`; reads /proc on a miss. nullptr when the process is gone.
  // With start_ticks != 0, a cached entry whose start time differs (the PID
  // was reused) is re-read; with a comm, one whose comm differs (the process
  // exec'd). An entry read while a user process had no arguments yet is
  // re-read too. The pointer is valid until the next non-const call.
  const ProcessInfo* lookup(uint32_t pid, uint64_t start_ticks = 0, std::string_view comm = {});
  // The same, for a process whose /proc/PID/stat the caller has just read:
  // a miss reads only its command line and cgroup (stat costs the kernel a
  // walk over every thread of the process).
  const ProcessInfo* lookup(const ProcStat& st);
  // Re-reads now (e.g. after exec changed comm and cmdline).
  const ProcessInfo* refresh(uint32_t pid);
  // The process exited: drop it.
  void forget(uint32_t pid) { cache_.erase(pid); }
  // Call once per interval: ages entries and evicts idle ones.
  void end_interval();

  [[nodiscard]] size_t size() const { return cache_.size(); }
  [[nodiscard]] size_t reads() const { return reads_; }

  // A Process component for `info` (id = PID, name = comm, parent = cgroup,
  // detail = cmdline, kernel_id = PID) with metrics from `st`.
  static model::Component make_component(const ProcessInfo& info, const ProcStat& st);

 private:
  struct Entry {
    ProcessInfo info;
    uint64_t last_used = 0;
  };
  // `known`: the process's stat, read moments ago by the caller (else read here).
  bool load(uint32_t pid, ProcessInfo& out, const ProcStat* known = nullptr);
  const ProcessInfo* refresh(uint32_t pid, const ProcStat* known);

  std::string proc_root_;
  ProcessResolverOptions options_;
  std::unordered_map<uint32_t, Entry> cache_;
  uint64_t interval_ = 0;
  size_t reads_ = 0;
  std::string buf_;
};

// Reads stats for `pid` and returns its Process component, identity from
// `resolver`. nullopt when the process is gone.
std::optional<model::Component> read_process(ProcessResolver& resolver,
                                             const std::string& proc_root, uint32_t pid,
                                             std::string& buf, Problems* problems = nullptr);

}  // namespace kpulse::collect
