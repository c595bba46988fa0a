// Issue 20l: puts a [0, 1] score on the baseline learner's scale, so that a
// max of two learners means "as surprising as this learner ever is" for both.
//
// The baseline scores a sample by the decades of tail probability of its
// surprise against the series' own history, divided by full_score_decades
// (analytics::AnomalyDetector::score_of). ScoreRarity does the same for any
// score in [0, 1]: the tail probability of the score among this learner's
// past scores on this series (an exponentially decayed histogram), turned
// into decades the same way. A learner that scores 1 every few samples then
// gets little from a 1; one that never does gets a lot.
#pragma once

#include "analytics/decayed_bins.h"

namespace kpulse::bench {

class ScoreRarity {
 public:
  // half_life: samples after which a past score weighs half;
  // full_score_decades: the rarity (decades) that maps to 1.
  ScoreRarity(double half_life, double full_score_decades);

  // The rarity of `score` among the scores seen so far (past only), then
  // records it. Scores outside [0, 1] are clamped; NaN counts as 0.
  double update(double score);

 private:
  // Bin k holds scores in [k/32, (k+1)/32); a score of exactly 1 has the
  // last bin to itself, so "as high as the learner's maximum" is exact.
  static constexpr int kBins = 33;
  analytics::DecayedBins<kBins> bins_;
  double full_score_decades_;
};

}  // namespace kpulse::bench
