// The period search through its own interface: a CPU series in, the best
// cycle and the bound it beat out. (The labels it leads to are tested with the
// classifier, tests/unit/analytics/workload_classifier_test.cpp.)
#include "analytics/period_search.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

std::vector<CpuReading> on_off(int n, int period, double busy) {
  std::vector<CpuReading> v;
  for (int i = 0; i < n; ++i) v.push_back({i % period < period / 2 ? busy : 0.01, 1.0});
  return v;
}

TEST(PeriodSearch, FindsARegularCycleAboveItsChanceBound) {
  const Cycle c = search_cycle(on_off(30, 6, 0.8), 1.0, false);
  EXPECT_TRUE(c.found());
  EXPECT_DOUBLE_EQ(c.period_s, 6.0);
  EXPECT_GT(c.r, c.chance);
  EXPECT_LT(c.chance, 1.0);  // searched: the series varies enough
}

TEST(PeriodSearch, ASteadySeriesHasNoCycle) {
  const Cycle c = search_cycle(std::vector<CpuReading>(30, {0.5, 1.0}), 1.0, false);
  EXPECT_FALSE(c.found());
}

// Bins of 3 one-second intervals: a 30 s cycle is 10 bins. It is found while
// it runs, and no longer current once the history ends in a steady stretch.
TEST(PeriodSearch, TheHistoryFindsALongCycleAndNoticesWhenItStops) {
  CpuHistory h(3, 100);
  for (int t = 0; t < 300; ++t) h.add(t % 30 < 15 ? 0.8 : 0.01, 1.0);
  EXPECT_EQ(h.size(), 100u);
  EXPECT_DOUBLE_EQ(h.seconds(), 300.0);
  EXPECT_TRUE(h.cycle().found());
  EXPECT_NEAR(h.cycle().period_s, 30.0, 3.0);
  for (int t = 0; t < 60; ++t) h.add(0.4, 1.0);
  EXPECT_FALSE(h.cycle().current);
  EXPECT_FALSE(h.cycle().found());
}

}  // namespace
}  // namespace kpulse::analytics
