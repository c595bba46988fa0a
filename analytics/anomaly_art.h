// Resonance learner for one metric series, in the spirit of ARTime (an
// adaptive-resonance-theory detector): a general online learner that keeps a
// bounded set of categories of recent shapes and calls a shape news when it
// resonates with none of them.
//
// The input is the window of the last `window` values. Each category is a box
// (a lower and an upper bound per position of the window), which is how
// Fuzzy ART with complement coding represents a category. A window's match
// with a box is 1 - (size of the box grown to contain the window) / window,
// sizes in units of the range seen so far; categories are tried in order of
// the Fuzzy ART choice function (match over the box's own size). The first
// whose match reaches the vigilance learns the window (its box grows to
// contain it: fast learning); if none does, the window founds a new category
// and scores 1. So a shape is news only when it is unlike every family of
// shapes seen so far, however rare its value; noise widens boxes instead.
//
// Boxes are kept in the series' own units, so a wider range later makes every
// box relatively smaller without rescaling anything. Memory is bounded: a full
// table gives up the category that resonated least recently.
#pragma once

#include <cstdint>
#include <vector>

namespace kpulse::analytics {

struct ArtDetectorConfig {
  // Values per input window (at most kMaxWindow).
  int window = 8;
  // Match a window needs to join a category: higher means finer categories
  // and more novelty.
  double vigilance = 0.9;
  // Categories remembered per series (16 bytes per position of the window).
  int categories = 64;
  // After a score, scores no higher than it within this many samples are
  // reported as 0 (one novel episode, one alarm); a range that has doubled
  // since the rest began is a new episode and is scored.
  int rest_samples = 120;
  // Samples seen before the first non-zero score (everything is new at first).
  int warmup_samples = 64;
};

class ArtAnomalyDetector {
 public:
  static constexpr int kMaxWindow = 32;

  explicit ArtAnomalyDetector(ArtDetectorConfig config = {});

  // Feeds one sample and returns its score in [0, 1] (past-only): 1 when the
  // window ending here founded a new category. A NaN value is ignored.
  double update(double value);

  // Whether the warm-up is over (before that the learner has no opinion).
  bool warm() const { return n_ > cfg_.warmup_samples; }
  // Categories founded so far (diagnostics).
  int64_t founded() const { return founded_; }

 private:
  struct Category {
    int64_t last_used = 0;
    bool used = false;
  };
  // True if the current window resonated with a category (which learned it).
  bool resonate(double span);
  void found(int64_t now);
  double window_value(int k) const;

  ArtDetectorConfig cfg_;
  int window_;
  std::vector<Category> categories_;
  std::vector<double> lower_;  // categories x window, series units
  std::vector<double> upper_;
  std::vector<double> recent_;  // ring of the last window_ values
  int head_ = 0;
  int64_t n_ = 0;
  int64_t founded_ = 0;
  double lo_ = 0;
  double hi_ = 0;
  double rest_peak_ = 0;
  double rest_span_ = 0;
  int rest_left_ = 0;
};

}  // namespace kpulse::analytics
