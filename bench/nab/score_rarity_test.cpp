// ScoreRarity (issue 20l): a [0, 1] score on the baseline's decades scale.
#include "nab/score_rarity.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace kpulse::bench {
namespace {

TEST(ScoreRarity, AScoreTheLearnerGivesOftenIsNotRare) {
  // A learner that scores 1 on every fourth sample: its 1 is a 1-in-4 event,
  // about 0.6 decades, far below a first 1 after a quiet history.
  ScoreRarity often(500, 4);
  double last = 0;
  for (int i = 0; i < 4000; ++i) last = often.update(i % 4 == 3 ? 1.0 : 0.0);
  EXPECT_NEAR(last, std::log10(4.0) / 4, 0.02);

  ScoreRarity quiet(500, 4);
  for (int i = 0; i < 4000; ++i) quiet.update(0.0);
  EXPECT_GT(quiet.update(1.0), 0.6);
  // ...and a 0 is never rare.
  EXPECT_EQ(quiet.update(0.0), 0.0);
}

TEST(ScoreRarity, TheDecayedHistoryCapsTheRarityOfANewMaximum) {
  // With half-life h the history weighs about h / ln 2 samples, so the
  // rarest score is log10(1 + h / ln 2) decades: about 2.86 of 4 at h = 500.
  // This is why 20l's cadmaxq could not reach the baseline's threshold (it
  // extrapolates its records beyond the history; this mapping does not).
  ScoreRarity r(500, 4);
  for (int i = 0; i < 100000; ++i) r.update(0.0);
  const double cap = std::log10(1.0 + 500 / std::log(2.0)) / 4;
  EXPECT_NEAR(r.update(1.0), cap, 0.01);
  EXPECT_LT(cap, 0.72);
}

TEST(ScoreRarity, StaysInUnitRangeOnAnyInput) {
  ScoreRarity r(10, 4);
  const double inputs[] = {
      -1.0, 2.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
      0.5,  1.0};
  for (int i = 0; i < 100000; ++i) {
    const double s = r.update(inputs[i % 6]);
    ASSERT_GE(s, 0.0) << i;
    ASSERT_LE(s, 1.0) << i;
  }
}

}  // namespace
}  // namespace kpulse::bench
