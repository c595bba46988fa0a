#include "analytics/anomaly_context.h"

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

ContextDetectorConfig no_rest() {
  ContextDetectorConfig c;
  c.rest_samples = 0;
  return c;
}

// A cycle over four values that span the range (cells 0, 3, 6, 9 of 16).
double cycle(int i) {
  static constexpr double kValues[] = {0.0, 25.0, 50.0, 75.0};
  return kValues[i % 4];
}

TEST(ContextAnomalyDetector, WarmUpIsQuietAndScoresStayInUnitRange) {
  ContextAnomalyDetector d;
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(10, 3);
  for (int i = 0; i < 3000; ++i) {
    const double x = i % 700 == 699 ? 1e6 : noise(rng);
    const double s = d.update(x);
    ASSERT_GE(s, 0.0);
    ASSERT_LE(s, 1.0);
    if (i < ContextDetectorConfig{}.warmup_samples) {
      EXPECT_EQ(s, 0.0) << i;
    }
  }
  EXPECT_EQ(d.update(std::numeric_limits<double>::quiet_NaN()), 0.0);
  EXPECT_LE(d.update(std::numeric_limits<double>::infinity()), 1.0);
}

TEST(ContextAnomalyDetector, ALearnedCycleIsFamiliarAndANewCellIsNews) {
  ContextAnomalyDetector d(no_rest());
  for (int i = 0; i < 400; ++i) d.update(cycle(i));
  EXPECT_EQ(d.update(cycle(400)), 0.0);
  // 40 lies in a cell the cycle never visited: every context is new.
  EXPECT_EQ(d.update(40.0), 1.0);
}

TEST(ContextAnomalyDetector, FamiliarValuesInAnUnfamiliarOrderScoreInBetween) {
  ContextAnomalyDetector d(no_rest());
  int i = 0;
  for (; i < 400; ++i) d.update(cycle(i));
  // The cycle is at 0 next; 50 after 75 has never happened, 50 itself has.
  ASSERT_EQ(i % 4, 0);
  const double s = d.update(50.0);
  EXPECT_GT(s, 0.0);
  EXPECT_LT(s, 1.0);
  EXPECT_NEAR(d.last_novelty(), 1.0 - 1.0 / ContextDetectorConfig{}.context_order, 1e-12);
}

TEST(ContextAnomalyDetector, OneNovelEpisodeAlarmsOnceWithinTheRestPeriod) {
  ContextDetectorConfig c;
  c.rest_samples = 50;
  ContextAnomalyDetector d(c);
  for (int i = 0; i < 400; ++i) d.update(cycle(i));
  EXPECT_EQ(d.update(40.0), 1.0);
  d.update(cycle(1));
  // Another never-seen cell 2 samples later: the same episode, not scored.
  EXPECT_EQ(d.update(60.0), 0.0);
  EXPECT_EQ(d.last_novelty(), 1.0);
  for (int i = 2; i < 200; ++i) d.update(cycle(i));
  EXPECT_EQ(d.update(10.0), 1.0);  // after the rest period: news again
}

// The rest mutes the rest of one episode, not the next one: a value far
// beyond the scale the resting episode was judged on (here the range doubles,
// as when a storm follows a blip on an idle device) is scored at once.
TEST(ContextAnomalyDetector, ASecondEpisodeBeyondTheKnownScaleIsScoredWithinTheRestPeriod) {
  ContextDetectorConfig c;
  c.rest_samples = 120;
  ContextAnomalyDetector d(c);
  for (int i = 0; i < 400; ++i) d.update(cycle(i));
  EXPECT_EQ(d.update(40.0), 1.0);
  for (int i = 1; i < 30; ++i) d.update(cycle(i));
  // Still inside the rest: a new cell within the known scale is the same episode...
  EXPECT_EQ(d.update(60.0), 0.0);
  for (int i = 31; i < 40; ++i) d.update(cycle(i));
  // ...but 200 doubles the range seen so far: a new episode.
  EXPECT_EQ(d.update(200.0), 1.0);
}

TEST(ContextAnomalyDetector, ARangeThatDoublesDoesNotMakeTheOldPatternNews) {
  ContextAnomalyDetector d(no_rest());
  for (int i = 0; i < 400; ++i) d.update(cycle(i));
  // 150 doubles the range (and the cell width): the spike is news...
  EXPECT_EQ(d.update(150.0), 1.0);
  // ...but the cycle was also learned on the coarser grid: once the spike
  // has left its short contexts, the cycle is familiar again.
  double late = 1;
  for (int i = 0; i < 40; ++i) late = d.update(cycle(i));
  EXPECT_EQ(late, 0.0);
}

TEST(ContextAnomalyDetector, AFlatSeriesFlagsAnyChange) {
  ContextAnomalyDetector d(no_rest());
  for (int i = 0; i < 300; ++i) EXPECT_EQ(d.update(5.0), 0.0);
  EXPECT_EQ(d.update(5.001), 1.0);
}

}  // namespace
}  // namespace kpulse::analytics
