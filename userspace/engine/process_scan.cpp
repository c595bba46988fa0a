#include "engine/process_scan.h"

#include <algorithm>

#include "collect/host_stats.h"

namespace kpulse::engine {

void ProcessScan::scan() {
  const double hz = collect::clock_ticks_per_second();
  std::unordered_map<uint32_t, Previous> now;
  entries_.clear();
  for (uint32_t pid : collect::list_pids(proc_root_)) {
    auto st = collect::read_proc_stat_of(proc_root_, pid, buf_);
    if (!st) continue;  // exited since readdir
    const uint64_t ticks = st->utime_ticks + st->stime_ticks;
    Entry e{*st, 0};
    // A PID reused by another process (different start time) starts over.
    if (auto it = previous_.find(pid); it != previous_.end() &&
                                       it->second.start_ticks == st->start_ticks &&
                                       ticks >= it->second.cpu_ticks)
      e.cpu_delta_s = double(ticks - it->second.cpu_ticks) / hz;
    now.emplace(pid, Previous{st->start_ticks, ticks});
    entries_.push_back(std::move(e));
  }
  previous_.swap(now);
  ++scans_;
}

std::vector<uint32_t> ProcessScan::pids() const {
  std::vector<uint32_t> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.stat.pid);
  return out;
}

void ProcessScan::forget(uint32_t pid) {
  previous_.erase(pid);
  std::erase_if(entries_, [pid](const Entry& e) { return e.stat.pid == pid; });
}

}  // namespace kpulse::engine
