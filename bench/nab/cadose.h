// Tried and lost (issue 20j, BENCHMARKS.md "Issue 20 (20j)"): kept in the
// bench so the experiment can be rerun, not used by kpulse itself.
//
// Prediction-based contextual learner for one metric series, after the
// published outline of Smirnov and Ivanov's Contextual Anomaly Detector (NAB's
// "CAD OSE"); written from that description, not from its code.
//
// Each value is quantised onto 2^value_bits cells over the range seen so far;
// its facts are the bits of its cell. A LEFT semi-context of order k is the
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
  // Cells across the range seen so far: 2^value_bits (CAD's default: 3).
  int value_bits = 3;
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
  bool warm() const { return n_ > cfg_.warmup_samples; }
  // Bytes of state per series (the table dominates).
  size_t memory_bytes() const;

 private:
  struct Left {
    uint32_t print = 0;  // 0: empty slot
    uint8_t used = 0;    // successors in use
    std::array<uint8_t, kMaxSuccessors> cell{};
    std::array<uint16_t, kMaxSuccessors> count{};
  };
  int cell_of(double v) const;
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
  std::array<double, kMaxLeftLength> recent_{};  // ring of the last values
  int head_ = 0;
  std::array<float, kMaxRest> rest_ring_{};
  int rest_head_ = 0;
  double last_raw_ = 0;
};

}  // namespace kpulse::bench
