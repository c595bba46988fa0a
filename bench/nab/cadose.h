// Tried in issues 20j and 20k (BENCHMARKS.md "Issue 20 (20j)", "(20k)"): kept
// in the bench so the experiments can be rerun, not used by kpulse itself.
//
// Prediction-based contextual learner for one metric series, after the
// published outline of Smirnov and Ivanov's Contextual Anomaly Detector (NAB's
// "CAD OSE"); written from that description, not from its code.
//
// Each value is quantised onto a grid anchored in value space whose cell width
// is a power of two, about 2^value_bits cells across the range seen so far;
// the width only grows (as in ContextAnomalyDetector), so a cell keeps its
// meaning until the range doubles. The learner learns the next coarser grid
// too: there a cell is exactly two cells of the current one, so after a
// doubling what followed each context is already known (20k). The grid of
// 20j (2^value_bits cells stretched over the range, every cell moving with
// each new extreme) stays as an option for comparison. A LEFT semi-context of order k is the
// facts of the last k samples; a RIGHT semi-context is a prefix of the
// current sample's facts (its cell at a coarser resolution). A context is a
// (left, right) pair seen together. At each step every context whose left
// semi-context is active (the last k samples match it, k = 1..left_length) is
// a prediction; the anomaly score is 1 - (share of those predictions that
// the new sample confirms). Unlike ContextAnomalyDetector, which asks whether
// the recent sequence was ever seen, this one asks whether what followed it
// before follows it now: a familiar value after a context that always led
// elsewhere scores high.
//
// Memory is bounded: left semi-contexts live in a set-associative table
// (table_slots entries of 32 bytes, the least recently used of a full set
// replaced), each keeping at most kMaxSuccessors right semi-contexts with
// counts (the least counted replaced): CAD's bounded set of active neurons.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace kpulse::bench {

struct CadoseConfig {
  // Cells across the range seen so far: about 2^value_bits (CAD's default: 3;
  // at most 7 on the anchored grid, 8 on the stretched one).
  int value_bits = 3;
  // true: the anchored power-of-two grid; false: 20j's stretched grid
  // (always used with freeze_after or range_lo/range_hi).
  bool anchored_grid = true;
  // Anchored grid: also learn the next coarser level, so a doubling of the
  // range finds it learned (false: for measuring what that buys).
  bool learn_coarser = true;
  // Longest left semi-context, in samples (at most kMaxLeftLength).
  int left_length = 7;
  // Right semi-contexts kept per left semi-context (at most kMaxSuccessors).
  int successors = 8;
  // A score is reported only if it exceeds every raw score of the previous
  // rest_samples steps (at most kMaxRest; 0: off): one episode, one alarm.
  int rest_samples = 120;
  // Samples seen before the first non-zero score.
  int warmup_samples = 64;
  // Left semi-contexts remembered (32 bytes each; rounded up to a power of 2).
  int table_slots = 1024;
  // Score = mean of (1 - share of predictions confirmed) and the share of
  // this step's contexts (left semi-context of each order, exact cell) never
  // seen before: our reading of CAD's second term. false: the first alone.
  bool score_new_contexts = false;
  // The range grows with the values of the first freeze_after samples, then
  // is frozen, widened by freeze_margin x its span on each side; later values
  // outside it land in the edge cells. 0: it grows forever (each new extreme
  // re-quantises everything learned).
  int freeze_after = 0;
  double freeze_margin = 0;
  // When both are finite the grid is fixed to [range_lo, range_hi] (values
  // outside land in the edge cells), as NAB hands CAD OSE each file's range
  // up front: a look-ahead, for diagnosis only.
  double range_lo = std::numeric_limits<double>::quiet_NaN();
  double range_hi = std::numeric_limits<double>::quiet_NaN();
};

class CadoseAnomalyDetector {
 public:
  static constexpr int kMaxLeftLength = 16;
  static constexpr int kMaxSuccessors = 8;
  static constexpr int kMaxRest = 256;

  explicit CadoseAnomalyDetector(CadoseConfig config = {});

  // Feeds one sample and returns its score in [0, 1] (past-only). A NaN is
  // ignored (score 0, nothing learned).
  double update(double value);

  // Share of the last sample's predictions it did not confirm (before rest).
  double last_raw() const { return last_raw_; }
  // Forgets the rest window: the next sample starts a new episode and is
  // reported if its raw score is above 0 (issue 20l: another learner's alarm
  // ends the episode, as a coarser grid does for the context learner).
  void start_episode() { rest_ring_.fill(0.0f); }
  bool warm() const { return n_ > cfg_.warmup_samples; }
  // Bytes of state per series (the table dominates).
  size_t memory_bytes() const;

 private:
  struct Left {
    uint32_t print = 0;  // 0: empty slot
    uint8_t used = 0;    // successors in use
    // Low 8 bits of each successor's cell: the range seen spans at most
    // 2^7 + 1 cells of a level, so they (and their prefixes) stay distinct.
    std::array<uint8_t, kMaxSuccessors> cell{};
    std::array<uint16_t, kMaxSuccessors> count{};
  };
  bool anchored() const;
  // The cell of v on the grid of cell width 2^level (anchored), or on the
  // stretched grid (level ignored).
  int64_t cell_at(double v, int level) const;
  int level_for_range() const;
  void grow_range(double x);
  // Learns x as the successor of its left semi-contexts on one grid; when
  // `predicted` is given, first counts what they predicted and x confirmed.
  // Returns how many of those contexts were new.
  int learn_grid(double x, int level, int* predicted, int* confirmed);
  Left* find_or_insert(uint64_t key, bool& inserted);
  // Predictions of one active left semi-context checked against `cell`.
  void check(const Left& left, int cell, int& predicted, int& confirmed) const;
  // Counts `cell` as a successor of `left`, keeping at most `limit`;
  // returns whether it was new.
  static bool learn(Left& left, int cell, int limit);
  double rested(double raw);

  CadoseConfig cfg_;
  int bits_;
  int left_length_;
  int successors_;
  std::vector<Left> table_;
  int64_t n_ = 0;
  double lo_ = 0;
  double hi_ = 0;
  bool frozen_ = false;
  int level_;                                    // anchored grid: cell width 2^level_, only grows
  std::array<double, kMaxLeftLength> recent_{};  // ring of the last values
  int head_ = 0;
  std::array<float, kMaxRest> rest_ring_{};
  int rest_head_ = 0;
  double last_raw_ = 0;
};

}  // namespace kpulse::bench
