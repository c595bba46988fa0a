// The processes a snapshot lists: the busiest first, by CPU used this
// interval (what BPF measured at each context switch when the sched group
// runs, else /proc's CPU time), then idle ones up to the bound, those
// holding the most memory first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "collect/cgroup_resolver.h"
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
  };
  ProcessList(Options options, std::string proc_root, collect::ProcessResolver& processes,
              collect::CgroupResolver& cgroups)
      : options_(options),
        proc_root_(proc_root),
        processes_(processes),
        cgroups_(cgroups),
        scan_(std::move(proc_root)) {}

  // Appends this interval's process components; `seq` is the snapshot's.
  void add(std::vector<model::Component>& comps, const probes::BpfTotals& t, uint64_t seq);

 private:
  struct Busy {
    uint32_t tgid;
    double cpu_s;
    const kp_sched_proc* total;  // nullptr: ranked from /proc
    kp_sched_proc delta;
    const ProcessScan::Entry* scanned;
  };
  // A process with many threads: its last /proc/PID/stat reading.
  struct ManyThreaded {
    model::Component component;
    uint64_t read_at = 0;  // seq of the snapshot that read it
  };
  using ManyThreadedMap = std::unordered_map<uint32_t, ManyThreaded>;

  std::vector<Busy> busy_from_bpf(const probes::BpfTotals& t);
  void scan_if_due(const probes::BpfTotals& t, uint64_t seq);
  std::optional<model::Component> read_busy(const Busy& a, uint64_t seq, ManyThreadedMap& kept);
  void add_idle(std::vector<model::Component>& comps, const std::unordered_set<uint32_t>& listed);

  Options options_;
  std::string proc_root_;
  collect::ProcessResolver& processes_;
  collect::CgroupResolver& cgroups_;
  std::string buf_;
  std::unordered_map<uint32_t, kp_sched_proc> prev_procs_;  // the previous drain's
  ManyThreadedMap many_threaded_;
  ProcessScan scan_;
  uint64_t scan_seq_ = 0;                         // seq of the snapshot that last scanned /proc
  std::unordered_set<uint32_t> read_since_scan_;  // processes read afresh since that scan
};

}  // namespace kpulse::engine
