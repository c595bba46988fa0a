// Workload classification per cgroup (and the host): what limits or shapes
// its work over a sliding window, with the evidence behind the label.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/period_search.h"
#include "model/snapshot.h"

namespace kpulse::analytics {

enum class WorkloadClass { Idle, CpuBound, IoBound, NetworkBound, MemoryBound, Bursty, Periodic };
std::string_view to_string(WorkloadClass c);

// What one interval of a component looked like.
struct WorkloadSample {
  double cpu = 0;              // CPUs used
  double io_bytes_s = 0;       // block I/O read + write
  double net_bytes_s = 0;      // TCP and UDP payload sent + received
  double memory_bytes = 0;     // memory charged (cgroup) or used (host)
  double memory_stall = 0;     // share of the interval stalled on memory (PSI) or reclaim
  double io_stall = 0;         // share of the interval stalled on I/O (PSI)
  double cpu_stall = 0;        // share of the interval some task waited for a CPU (PSI)
  double refault_bytes_s = 0;  // page cache read back soon after its eviction
  double interval_s = 0;       // measured length of the interval (0: the nominal one)
  // Pages faulted in (minor + major), as bytes per second: with a flat
  // resident size, memory dropped and touched again page by page (a cache
  // thrashing its working set), which the size alone does not show.
  double fault_bytes_s = 0;
};

struct WorkloadPattern {
  std::string component;  // key
  WorkloadClass cls = WorkloadClass::Idle;
  double confidence = 0;  // 0..1
  double period_s = 0;    // Periodic: the detected period
  std::string evidence;   // the window's figures that decided it
};

struct WorkloadConfig {
  int window = 30;                      // intervals looked at
  int min_samples = 15;                 // fewer: no label yet
  double idle_cpu = 0.03;               // CPUs
  double idle_io_bytes_s = 64 * 1024;   // and below this much I/O...
  double idle_net_bytes_s = 64 * 1024;  // ...and network, the component idles
  double busy_cpu = 0.15;               // CPUs: enough to call it CPU-bound...
  double cpu_stall = 0.5;               // ...or waiting for a CPU this much (a contended host)
  double io_bytes_s = 1 << 20;          // block I/O rate that makes it I/O-bound
  double io_stall = 0.10;
  double net_bytes_s = 1 << 20;             // TCP + UDP rate that makes it network-bound
  double memory_bytes = 192.0 * (1 << 20);  // a working set this large...
  double memory_churn =
      0.05;  // ...that changes (in size, or page by page) by this share per interval
  double memory_stall = 0.05;
  // Page cache read back after its eviction at this rate: the data path is
  // limited by memory (the working set does not fit), not by the disk.
  double refault_bytes_s = 1 << 20;
  double bursty_cv = 0.8;  // coefficient of variation of CPU use
  // The period search at a second time scale, for cycles too long to repeat
  // three times in the window: CPU alone, averaged over bins of `long_bin`
  // intervals, the last `long_bins` of them (3 x 100: 5 minutes at 1 s,
  // periods of 6-100 s, resolved from about 5 bins a cycle, 15 s). Searched
  // once `min_samples` bins exist (fewer bins than that kept: off).
  int long_bin = 3;
  int long_bins = 100;
};

// Classifies one window of samples (oldest first); pure, so it is testable on
// synthetic series. `aggregate`: the host or the root cgroup, the sum of
// unrelated work, whose memory size and byte counts move with whatever
// starts and stops (a compile's processes churn gigabytes): it is labelled by
// what its tasks wait on (memory stalls and refaults, I/O stalls), as the volume rules would
// describe the mix, not what limits it. `history`: the component's longer CPU
// history, searched for a cycle when the window shows none.
WorkloadPattern classify_window(const std::vector<WorkloadSample>& window, double interval_s,
                                const WorkloadConfig& cfg = {}, bool aggregate = false,
                                const CpuHistory* history = nullptr);

// Keeps a window per cgroup (and the host) across snapshots.
class WorkloadClassifier {
 public:
  explicit WorkloadClassifier(WorkloadConfig config = {});
  void update(const model::Snapshot& snap);
  // Labels for every component with enough samples, by key.
  [[nodiscard]] std::vector<WorkloadPattern> patterns() const;
  [[nodiscard]] WorkloadPattern classify(const std::string& key) const;

 private:
  struct Series {
    std::deque<WorkloadSample> window;
    CpuHistory history;
    int64_t last_seen = 0;
  };
  WorkloadConfig cfg_;
  std::map<std::string, Series> series_;
  double interval_s_ = 1;
  int64_t seq_ = 0;
};

}  // namespace kpulse::analytics
