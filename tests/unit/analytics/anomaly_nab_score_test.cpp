#include "analytics/anomaly_nab_score.h"

#include <cmath>

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

const NabCostMatrix kStandard{1.0, 0.11, 1.0};

// 1000 rows (150 probationary), one window over rows 500..599.
NabSeries one_window_series() {
  NabSeries s;
  s.name = "t";
  s.scores.assign(1000, 0.0);
  s.windows = {{500, 599}};
  return s;
}

TEST(NabScore, ProbationIsFifteenPercentCappedAt750) {
  EXPECT_EQ(nab_probationary_rows(1000), 150u);
  EXPECT_EQ(nab_probationary_rows(4032), 604u);
  EXPECT_EQ(nab_probationary_rows(10000), 750u);
}

TEST(NabScore, ScaledSigmoidMatchesNabCurve) {
  EXPECT_NEAR(nab_scaled_sigmoid(-1.0), 0.98661, 1e-5);
  EXPECT_NEAR(nab_scaled_sigmoid(-0.5), 0.84828, 1e-5);
  EXPECT_NEAR(nab_scaled_sigmoid(0.0), 0.0, 1e-12);
  EXPECT_NEAR(nab_scaled_sigmoid(1.0), -0.98661, 1e-5);
  EXPECT_EQ(nab_scaled_sigmoid(3.0), -1.0);
}

TEST(NabScore, PerfectDetectorScores100AndNullScores0) {
  NabSeries a = one_window_series();
  NabSeries b = one_window_series();
  b.windows = {{300, 349}, {800, 849}};
  std::vector<NabSeries> corpus{a, b};
  const int windows = nab_scored_windows(a) + nab_scored_windows(b);
  ASSERT_EQ(windows, 3);

  auto null_best = nab_best_threshold(corpus, kStandard);
  EXPECT_DOUBLE_EQ(null_best.raw, -3.0);
  EXPECT_DOUBLE_EQ(nab_normalised(null_best.raw, windows, kStandard), 0.0);

  for (auto& s : corpus)
    for (const auto& w : s.windows) s.scores[w.first] = 1.0;
  auto best = nab_best_threshold(corpus, kStandard);
  EXPECT_EQ(best.tp, 3);
  EXPECT_EQ(best.fp, 0);
  EXPECT_NEAR(nab_normalised(best.raw, windows, kStandard), 100.0, 1e-9);
}

TEST(NabScore, EarlierDetectionEarnsMore) {
  NabSeries early = one_window_series();
  NabSeries late = one_window_series();
  early.scores[520] = 1.0;
  late.scores[590] = 1.0;
  const double e = nab_score_series(early, kStandard, 0.5).raw;
  const double l = nab_score_series(late, kStandard, 0.5).raw;
  EXPECT_GT(e, l);
  EXPECT_GT(l, 0.0);
  // Row 520 of a 100-row window ending at 599: relative position -(599-520+1)/100.
  EXPECT_NEAR(e, nab_scaled_sigmoid(-0.8) / nab_scaled_sigmoid(-1.0), 1e-12);
}

TEST(NabScore, OnlyTheEarliestAlarmInAWindowCounts) {
  NabSeries one = one_window_series();
  one.scores[510] = 1.0;
  NabSeries many = one;
  for (int i = 511; i < 600; ++i) many.scores[i] = 1.0;
  EXPECT_DOUBLE_EQ(nab_score_series(one, kStandard, 0.5).raw,
                   nab_score_series(many, kStandard, 0.5).raw);
}

TEST(NabScore, FalsePositiveCostsLessJustAfterAWindow) {
  NabSeries far = one_window_series();
  far.scores[300] = 1.0;  // before any window: full cost
  auto r = nab_score_series(far, kStandard, 0.5);
  EXPECT_EQ(r.fp, 1);
  EXPECT_NEAR(r.raw, -0.11 - 1.0, 1e-12);  // the FP plus the missed window

  NabSeries near = one_window_series();
  near.scores[500] = 1.0;  // detected
  near.scores[605] = 1.0;  // 6 rows after the window's end
  const double with_fp = nab_score_series(near, kStandard, 0.5).raw;
  near.scores[605] = 0.0;
  const double without = nab_score_series(near, kStandard, 0.5).raw;
  EXPECT_LT(with_fp, without);
  EXPECT_GT(with_fp, without - 0.11 * 0.9);
  EXPECT_NEAR(with_fp - without, 0.11 * nab_scaled_sigmoid(6.0 / 99.0), 1e-12);
}

TEST(NabScore, AlarmsInProbationAreIgnored) {
  NabSeries s = one_window_series();
  s.scores[10] = 1.0;
  EXPECT_DOUBLE_EQ(nab_score_series(s, kStandard, 0.5).raw, -1.0);
  EXPECT_EQ(nab_score_series(s, kStandard, 0.5).fp, 0);
}

TEST(NabScore, SweepChoosesTheBestCorpusThreshold) {
  // 0.9 marks the window start; 0.5 marks 20 rows of noise before it. A
  // threshold of 0.5 would add 20 full-cost false positives.
  NabSeries s = one_window_series();
  s.scores[500] = 0.9;
  for (int i = 200; i < 220; ++i) s.scores[i] = 0.5;
  auto best = nab_best_threshold({s}, kStandard);
  EXPECT_DOUBLE_EQ(best.threshold, 0.9);
  EXPECT_EQ(best.tp, 1);
  EXPECT_EQ(best.fp, 0);
  // The sweep's total agrees with scoring the series at its threshold.
  auto at = nab_score_series(s, kStandard, best.threshold);
  EXPECT_DOUBLE_EQ(at.raw, best.raw);
}

TEST(NabScore, WindowsInsideProbationDoNotCount) {
  NabSeries s = one_window_series();
  s.windows = {{10, 40}, {500, 599}};
  EXPECT_EQ(nab_scored_windows(s), 1);
  EXPECT_DOUBLE_EQ(nab_score_series(s, kStandard, 0.5).raw, -1.0);
}

}  // namespace
}  // namespace kpulse::analytics
