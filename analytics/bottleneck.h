// Bottleneck detection: per-signal streaming anomaly detection over the USE
// tables, and rules that combine signals into "resource R of component C is
// saturated; these components suffer; this one causes it".
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analytics/anomaly_detector.h"
#include "analytics/use_table.h"
#include "model/format.h"

namespace kpulse::analytics {

enum class Severity { Info, Warning, Critical };
std::string_view to_string(Severity s);

// Leaf cgroups: the ones no other cgroup in the snapshot names as its parent
// (the root excluded). Usage is charged to every ancestor too, so only
// leaves can be "the" consumer of a resource.
std::vector<const model::Component*> leaf_cgroups(const model::Snapshot& snap);

// One signal's reading against what it usually reads.
struct Evidence {
  std::string component;  // component key
  std::string signal;     // UseSignal::name
  double value = 0;
  double baseline = 0;   // slow average of the signal while it was normal
  double limit = 0;      // saturation/error level
  double score = 0;      // anomaly score in [0,1]
  model::Quantity unit;  // what value, baseline and limit measure
};

// What a cgroup's memory rows measured for sizing a raise of its limit
// (recommend.h's memory rules); NaN where not measured.
struct MemoryDemand {
  double usage = model::kNaN;  // memory charged to the cgroup now
  double limit = model::kNaN;  // the binding limit: the lower of memory.high and memory.max
  // Page cache the cgroup read back after eviction (cgroup.memory.refaults x
  // the page size) over the last span_s seconds: the working set its limit
  // did not hold. NaN when the kernel does not report refaults.
  double refaulted = model::kNaN;
  double span_s = 0;
  // Processes of the cgroup (or its children) the OOM killer took this
  // interval that the previous snapshot saw: their resident sizes then, summed.
  double killed_rss = 0;
  std::vector<std::string> killed;      // "python3 [4242]"
  double host_available = model::kNaN;  // MemAvailable: what the host could give
  double host_total = model::kNaN;      // MemTotal
};

// What a throttled cgroup's CPU rows measured for sizing its quota
// (recommend.h's quota rule); NaN where not measured.
struct CpuDemand {
  double used = model::kNaN;   // CPUs it got this interval
  double quota = model::kNaN;  // CPUs its quota allows
  // CPU-seconds per second its run queues sat throttled, summed over CPUs
  // (cpu.stat throttled_time): what it would have run had the quota let it,
  // at most, since a throttled queue counts the whole wait even where its
  // task would have slept part of it.
  double throttled = model::kNaN;
  double cpus = model::kNaN;  // the host's
};

struct Bottleneck {
  // Stable while the same rule holds for the same component:
  // "<rule>:<component key>", e.g. "cpu-saturation:cgroup:/app".
  std::string id;
  std::string rule;  // "cpu-saturation", "memory-pressure", "disk-saturation", "tcp-loss", ...
  Resource resource = Resource::Cpu;
  std::string component;             // the saturated component's key
  std::vector<std::string> victims;  // components that suffer (keys), worst first
  // The top consumer of the resource ("" if unknown): a leaf cgroup, or the
  // cgroup whose own processes (not its children) use most, such as a compile
  // running in the root cgroup "cgroup:/"; its busiest processes are named.
  std::string cause;
  std::vector<std::string> cause_processes;  // "cc1plus [12088]", busiest first
  double cause_usage = 0;                    // in the resource's unit (CPUs, bytes, bytes/s)
  double cause_share = 0;  // its share of the whole host's use (a disk's: of the device's bytes)
  // Disk: the share of the cause's bytes that it read (the rest it wrote);
  // NaN when not known. A bandwidth cap only helps on the direction it caps.
  double cause_read_share = model::kNaN;
  Severity severity = Severity::Warning;
  double saturation = 0;           // worst value/limit among the evidence
  double score = 0;                // worst anomaly score among the evidence
  std::vector<Evidence> evidence;  // worst first
  MemoryDemand memory;             // memory rows of cgroups only
  CpuDemand cpu;                   // cpu-throttled cgroups only
  // The baseline path: the anomaly detector found a saturated signal unusual
  // for this component this interval.
  bool anomalous = false;
  // The limit path: a saturation signal has held over its absolute limit for
  // BottleneckConfig::limit_after intervals (or far over it for one), whatever
  // the component usually reads. Chronic and from-birth saturation alert on it.
  bool sustained = false;
  // Consecutive intervals, this one included, that a signal of the evidence
  // has been over its limit. An onset's partial interval can cross the limit
  // without being unusual enough to open an alert; it still counts toward the
  // two intervals an alert must hold before it fires.
  int held = 0;
};

struct BottleneckConfig {
  UseLimits limits;
  AnomalyDetectorConfig detector;
  // Anomaly score at or above which a saturated signal counts as news.
  double score_threshold = 0.5;
  // Components whose key starts with one of these are watched ("" = all); lets
  // a test or a user confine analysis to their own cgroups.
  std::vector<std::string> scope;
  // A signal at this many times its limit, from a baseline under half the
  // limit, counts as news even when the detector ranks it low.
  double jump_ratio = 2.0;
  // Samples a signal's detector must have seen before it may call anything
  // anomalous: its early scores rank against too short a history.
  int min_history = 20;
  // Signals not seen for this many intervals lose their detector state.
  int forget_after = 120;
  // The limit path: consecutive intervals a saturation signal must stay over
  // its limit, or one interval at limit_now_ratio times its limit.
  int limit_after = 2;
  double limit_now_ratio = 3.0;
  // Memory rows count reclaim stalls on the limit path only this close to
  // their limit (host: share of RAM in use; cgroup: of its memory limit).
  double memory_full = 0.9;
  // The span a cgroup's refaults are summed over to size a raise of its
  // memory limit. Refaults count a page each time it comes back, so a span
  // shorter than the workload's reuse cycle misses part of what it lacks and
  // a longer one counts the same pages again: a minute covers the cycles of
  // the scans, caches and builds that thrash a limit (seconds to a minute),
  // and the rule caps the raise (at most 2x) against the overcount of
  // faster cycles. It is also PSI's middle window (avg60).
  double refault_span_s = 60;
};

// Keeps one detector and one baseline per (component, signal) and evaluates
// the rules on each snapshot.
class BottleneckDetector {
 public:
  explicit BottleneckDetector(BottleneckConfig config = {});
  // Detects bottlenecks in this interval. Call once per snapshot, in order.
  std::vector<Bottleneck> update(const model::Snapshot& snap);
  // The USE table of the last snapshot (for printing).
  [[nodiscard]] const std::vector<UseRow>& last_table() const { return table_; }
  [[nodiscard]] const BottleneckConfig& config() const { return cfg_; }
  // How many processes of the last snapshot it keeps the size of, for an
  // OOM kill's victim next interval: those under a memory limit.
  [[nodiscard]] size_t processes_kept() const { return processes_.size(); }

 private:
  struct Track {
    AnomalyDetector detector;
    double baseline = 0;
    int64_t samples = 0;
    int64_t last_seen = 0;
    double last_score = 0;  // the detector's score in the previous interval
    int over = 0;           // consecutive intervals over the limit
  };
  bool in_scope(const std::string& key) const;
  [[nodiscard]] bool on_limit_path(const UseRow& row, const UseSignal& s) const;
  Track& track(const std::string& key, const std::string& signal);
  // Keeps each cgroup's refaults over the last refault_span_s.
  void remember_refaults(const model::Snapshot& snap);
  [[nodiscard]] MemoryDemand memory_demand(const model::Snapshot& snap, const UseRow& row) const;
  // Keeps the resident size of each process an OOM kill could size a limit
  // raise from (see processes_).
  void remember_processes(const model::Snapshot& snap);

  BottleneckConfig cfg_;
  std::map<std::string, std::unique_ptr<Track>> tracks_;  // "<key>|<signal>"
  std::vector<UseRow> table_;
  int64_t seq_ = 0;
  struct Refaults {
    std::deque<std::pair<double, double>> window;  // (interval s, bytes), oldest first
    int64_t last_seen = 0;
  };
  std::map<std::string, Refaults> refaults_;  // by cgroup id
  // The previous snapshot's resident size of each process under a memory
  // limit (its cgroup's or an ancestor's), for the size of an OOM kill's
  // victim: the raise is sized only against a limit (memory_need), so a
  // process with none above it could never be used. Its name comes from the
  // kill's exit record (the same leader's comm).
  struct SeenProcess {
    uint64_t pid = 0;
    double rss = 0;
  };
  std::vector<SeenProcess> processes_;
};

}  // namespace kpulse::analytics
