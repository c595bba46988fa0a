// Every process in /proc, with the CPU time each used since the previous
// scan: the engine lists processes from here, so a process is listed whether
// or not a BPF probe saw it (BPF only adds detail and ranks the busy ones).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "collect/process_stats.h"

namespace kpulse::engine {

class ProcessScan {
 public:
  struct Entry {
    collect::ProcStat stat;
    double cpu_delta_s = 0;  // user + system time since the previous scan (0 on first sight)
  };

  explicit ProcessScan(std::string proc_root) : proc_root_(std::move(proc_root)) {}

  // Reads /proc/PID/stat of every process (one read each).
  void scan();
  // The last scan's processes.
  [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }
  // The process exited: drop it until a scan finds it again.
  void forget(uint32_t pid);
  [[nodiscard]] uint64_t scans() const { return scans_; }
  // The PIDs the last scan found (its entries' PIDs).
  [[nodiscard]] std::vector<uint32_t> pids() const;

 private:
  struct Previous {
    uint64_t start_ticks = 0;
    uint64_t cpu_ticks = 0;
  };
  std::string proc_root_;
  std::vector<Entry> entries_;
  std::unordered_map<uint32_t, Previous> previous_;
  std::string buf_;
  uint64_t scans_ = 0;
};

}  // namespace kpulse::engine
