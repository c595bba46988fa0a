// Per-process statistics from /proc/PID/stat, and kpulse's own (/proc/self).
//
// Runs for hundreds of PIDs every interval, so each process costs exactly one
// open+read of /proc/PID/stat: the resident set is taken from its rss field
// (the same get_mm_rss() value /proc/PID/statm reports as "resident").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collect/problems.h"
#include "model/snapshot.h"

namespace kpulse::collect {

struct ProcStat {
  uint32_t pid = 0;
  std::string comm;
  char state = '?';
  uint32_t ppid = 0;
  uint64_t minflt = 0;
  uint64_t majflt = 0;
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint32_t threads = 0;
  uint64_t start_ticks = 0;  // since boot, in USER_HZ ticks
  uint64_t rss_pages = 0;
};

// Parses the text of /proc/PID/stat. comm may contain spaces and ')', so the
// fields are taken after the LAST ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// Reads <proc_root>/<pid>/stat; nullopt when the process is gone.
// `buf` is a caller-owned scratch buffer reused across calls.
std::optional<ProcStat> read_proc_stat_of(const std::string& proc_root, uint32_t pid,
                                          std::string& buf, Problems* problems = nullptr);

long page_size_bytes();

// PIDs (thread-group leaders) currently in <proc_root>, in directory order.
std::vector<uint32_t> list_pids(const std::string& proc_root = "/proc");

// Writes process.cpu_time, process.threads, process.rss, memory.major_faults
// and memory.page_faults from `st` into `out` (cumulative; delta 0).
void fill_process_metrics(const ProcStat& st, model::Component& out);

// kpulse itself: an Agent component (id "kpulse") with self.cpu_time and
// self.rss, from <proc_root>/self/stat.
bool read_self(model::Component& out, const std::string& proc_root = "/proc");
model::Component make_agent_component();

}  // namespace kpulse::collect
