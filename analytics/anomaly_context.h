// Contextual novelty learner for one metric series, in the spirit of the
// contextual anomaly detector CAD OSE (NAB's "contextOSE"): a general online
// learner with few parameters and no model of what an anomaly looks like.
//
// Each value is quantised onto a coarse grid fitted to the range seen so far
// (2^value_bits cells across it). The facts of a sample are the cells of the
// last few samples; a context of order n is the sequence of the last n cells.
// The learner remembers every context it has seen (in a bounded table), and
// the anomaly score is the share of the current sample's contexts, orders 1
// to context_order, that it has never seen: 0 when the whole recent sequence
// is familiar, 1 for a value in a cell never visited. Since a context is only
// new if its shorter suffixes are known or new, the score is
// 1 - (longest familiar order) / context_order.
//
// The grid's cell width is a power of two that only grows with the range, so
// a cell keeps its meaning until the range doubles; the learner also learns
// the next coarser grid, so a doubling does not make everything new at once.
//
// Memory is bounded: contexts are kept as 32-bit fingerprints in a
// set-associative table (table_slots entries), the oldest one of a full set
// making room for a new one; forgetting makes old patterns news again.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kpulse::analytics {

// Defaults: value_bits, context_order and rest_samples are the choice of a
// leave-one-category-out cross-validation over NAB (bits 3/4/5, order 4/7/10,
// rest 0/24/120; BENCHMARKS.md "Issue 20 (20g)"); table_slots is the smallest
// table whose NAB score matches an unbounded one.
struct ContextDetectorConfig {
  // Cells across the range seen so far: 2^value_bits.
  int value_bits = 4;
  // Longest context remembered (samples, at most kMaxContextOrder).
  int context_order = 4;
  // After a score, scores no higher than it within this many samples are
  // reported as 0: one novel episode, one alarm (0: off). A sample that
  // coarsens the grid (the range seen has about doubled: a value beyond the
  // scale the episode was judged on) starts a new episode and is scored.
  int rest_samples = 120;
  // Samples seen before the first non-zero score (everything is new at first).
  int warmup_samples = 64;
  // Contexts remembered per series (4 bytes each; rounded up to a power of 2).
  int table_slots = 4096;
};

class ContextAnomalyDetector {
 public:
  static constexpr int kMaxContextOrder = 16;

  explicit ContextAnomalyDetector(ContextDetectorConfig config = {});

  // Feeds one sample and returns its score in [0, 1] (past-only). A NaN
  // value is ignored (score 0, nothing learned).
  double update(double value);

  // Share of the last sample's contexts never seen before (before the rest
  // period), for diagnostics and evidence.
  double last_novelty() const { return last_novelty_; }
  // Whether the warm-up is over: before that the learner has no opinion
  // (its scores are 0 because everything is new, not because nothing is).
  bool warm() const { return n_ > cfg_.warmup_samples; }

 private:
  // Cells of the last `order` values on the grid of cell width 2^level, and
  // whether each suffix was known (inserting it if not). Returns the longest
  // familiar order.
  int learn_level(int level);
  bool seen_or_insert(uint64_t key);
  int level_for_range() const;

  ContextDetectorConfig cfg_;
  int order_;
  std::vector<uint32_t> table_;  // fingerprints, 0 = empty; sets of kWays slots
  uint64_t inserts_ = 0;
  int64_t n_ = 0;
  double lo_ = 0;
  double hi_ = 0;
  int level_;  // current cell width is 2^level_ (in units of the value)
  std::array<double, kMaxContextOrder> recent_{};  // ring of the last values
  int head_ = 0;
  double last_novelty_ = 0;
  double rest_peak_ = 0;
  int rest_left_ = 0;
};

}  // namespace kpulse::analytics
