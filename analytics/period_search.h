// The period search of the workload classifier, at its two time scales: the
// classifier's own window, and a CPU-only history of bins longer than it
// (BENCHMARKS.md "Issue 20 (20o)"). A CPU series in, the best cycle out,
// with the bound it had to beat; labels and evidence stay with the classifier.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

namespace kpulse::analytics {

// One reading of a CPU series: the CPUs used over `seconds` (0: the
// series' nominal interval).
struct CpuReading {
  double cpu = 0;
  double seconds = 0;
};

// What the period search (the same at both time scales) found in a CPU series.
struct Cycle {
  double period_s = 0;  // the best candidate's period (0: no candidate)
  double r = 0;         // autocorrelation of the ranks at that lag
  double chance = 1;    // the bound it must beat (1: not searched)
  bool exact = true;    // false: the shuffles stopped once one reached r
  // The last period of the series still swings across its mean: a cycle that
  // stopped (the job went idle, or became steady) still correlates with
  // itself over a long history for a while, but is no longer running.
  bool current = true;
  [[nodiscard]] bool found() const { return period_s > 0 && r > chance && current; }
};

// The search on a series of CPU readings (oldest first): on a regular time
// grid, as ranks, the best lag by the trough/peak rule, then the permutation
// bound when the CPU use varies enough (a coefficient of variation >= 0.3)
// to hold a cycle at all. `only_current`: the cycle must still swing across
// the series' mean in its last period (for a long history, which can hold a
// cycle that stopped minutes ago: the job went idle, or steady).
Cycle search_cycle(const std::vector<CpuReading>& series, double nominal_s, bool only_current);

// Standard deviation over mean (0 when the mean is not positive): how much a
// CPU series varies, the gate of the search above.
double coefficient_of_variation(const std::vector<double>& v);

// A CPU-only history longer than the window (per component, beside it): the
// mean CPU over bins of `bin` intervals each, the last `bins` of them. O(1)
// per interval. The period search runs when first asked (the classifier asks
// only when the window shows no cycle) and again once a tenth of the bins are
// new; whether the cycle found still runs is asked of every new bin. Not
// thread-safe (the cache), like the classifier that holds it.
class CpuHistory {
 public:
  CpuHistory(int bin, int bins);
  // The CPUs used over an interval of `interval_s` seconds.
  void add(double cpu, double interval_s);
  [[nodiscard]] size_t size() const { return bins_.size(); }
  [[nodiscard]] double seconds() const;  // time the completed bins cover
  [[nodiscard]] double mean_cpu() const;
  [[nodiscard]] const Cycle& cycle() const;

 private:
  std::deque<CpuReading> bins_;  // the bin's mean CPU and its length
  CpuReading open_;              // the bin being filled: CPU-seconds and seconds
  int open_n_ = 0;
  int bin_;
  size_t max_bins_;
  size_t completed_ = 0;  // bins completed since the start
  mutable std::optional<Cycle> cycle_;
  mutable size_t searched_at_ = 0, checked_at_ = 0;  // `completed_` then
};

}  // namespace kpulse::analytics
