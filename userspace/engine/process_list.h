// The processes a snapshot lists: the busiest first, by CPU used this
// interval (/proc/PID/stat's), then idle ones up to the bound, those holding
// the most memory first. With the sched group, only the processes it marked
// as having run are read each interval; otherwise every process is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "collect/kept_file.h"
#include "collect/process_resolver.h"
#include "engine/process_scan.h"
#include "model/snapshot.h"
#include "probes/bpf_totals.h"

namespace kpulse::engine {

class ProcessList {
 public:
  struct Options {
    size_t max_processes = 500;
    bool include_idle_processes = false;
    // /proc/PID/stat descriptors kept open for processes marked as having
    // run (see kept_stats_); 0 keeps none.
    size_t kept_stat_files = 0;
  };
  ProcessList(Options options, std::string proc_root, collect::ProcessResolver& processes)
      : options_(options),
        proc_root_(proc_root),
        processes_(processes),
        scan_(std::move(proc_root)),
        stat_budget_(options.kept_stat_files) {}

  // Appends this interval's process components; `seq` is the snapshot's.
  void add(std::vector<model::Component>& comps, const probes::BpfTotals& t, uint64_t seq);
  // The /proc scan (every few intervals; each interval without BPF's marks),
  // and whether add() made it for snapshot `seq`.
  [[nodiscard]] const ProcessScan& scan() const { return scan_; }
  [[nodiscard]] bool scanned_at(uint64_t seq) const {
    return scan_.scans() > 0 && scan_seq_ == seq;
  }

 private:
  struct Busy {
    uint32_t tgid;
    double cpu_s;  // CPU time this interval, for the ranking
    model::Component component;
    bool from_scan;
  };
  // A process with many threads: its last /proc/PID/stat reading.
  struct ManyThreaded {
    model::Component component;
    uint64_t read_at = 0;  // seq of the snapshot that read it
  };
  using ManyThreadedMap = std::unordered_map<uint32_t, ManyThreaded>;
  // A process's CPU time at its last reading, for the next one's rate.
  struct CpuReading {
    double cpu_s = 0;  // ProcCpuTime at seq
    uint64_t seq = 0;
    double rate_s = 0;  // CPU seconds per interval between the last two readings
  };

  // Whether it scanned.
  bool scan_if_due(const probes::BpfTotals& t, uint64_t seq);
  std::vector<Busy> busy_from_scan();
  std::vector<Busy> busy_from_marks(const probes::BpfTotals& t, uint64_t seq, bool scanned,
                                    ManyThreadedMap& kept);
  std::optional<model::Component> read_marked(uint32_t tgid, uint64_t seq,
                                              const ProcessScan::Entry* scanned,
                                              ManyThreadedMap& kept);
  double cpu_this_interval(uint32_t tgid, const model::Component& c, uint64_t seq);
  // A marked process's stat through its kept descriptor; nullopt when it is gone.
  std::optional<model::Component> read_kept(uint32_t tgid, uint64_t seq);
  void forget_idle_kept_stats(uint64_t seq);
  void add_idle(std::vector<model::Component>& comps, const std::unordered_set<uint32_t>& listed);

  Options options_;
  std::string proc_root_;
  collect::ProcessResolver& processes_;
  std::string buf_;
  std::unordered_map<uint32_t, CpuReading> cpu_readings_;  // marked processes' last ones
  ManyThreadedMap many_threaded_;
  ProcessScan scan_;
  uint64_t scan_seq_ = 0;                         // seq of the snapshot that last scanned /proc
  std::unordered_set<uint32_t> read_since_scan_;  // processes read afresh since that scan
  // /proc/PID/stat of processes marked as having run, kept open: a process
  // that runs every interval is read by one pread instead of open, read and
  // close (the open and close were half the cost of reading it). A kept
  // descriptor outlives no process: reading a dead one fails, and the path
  // is opened again (a reused PID is told by its start time, as before).
  // Dropped when the process exits or goes unmarked for a while.
  struct KeptStat {
    collect::KeptFile file;
    uint64_t marked_at = 0;  // seq of the last snapshot that marked it
  };
  std::unordered_map<uint32_t, KeptStat> kept_stats_;
  collect::FdBudget stat_budget_;
  std::string stat_path_;
};

}  // namespace kpulse::engine
