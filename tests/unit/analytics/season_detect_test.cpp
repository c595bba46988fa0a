#include "analytics/season_detect.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

// Hourly: a daily cycle, weekends lower, noise.
std::vector<double> daily_weekly(int days, double weekend_drop, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 1);
  std::vector<double> y;
  for (int t = 0; t < days * 24; ++t) {
    const int dow = (t / 24) % 7;
    y.push_back(100 + 20 * std::sin(2 * M_PI * t / 24) - (dow >= 5 ? weekend_drop : 0) +
                3 * noise(rng));
  }
  return y;
}

SeasonOptions hourly() {
  SeasonOptions o;
  o.max_period = 168 + 16;
  o.preferred = {24, 168};
  return o;
}

TEST(SeasonDetect, FindsDayAndWeek) {
  const auto s = detect_seasons(daily_weekly(42, 30, 1), hourly());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].period, 24);
  EXPECT_EQ(s[1].period, 168);
  EXPECT_GT(s[1].acf, s[0].acf);
}

TEST(SeasonDetect, DailyOnlyWhenAllDaysAlike) {
  const auto s = detect_seasons(daily_weekly(42, 0, 2), hourly());
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].period, 24);
}

TEST(SeasonDetect, NoiseHasNoSeason) {
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 1);
  std::vector<double> y(1000);
  for (double& v : y) v = noise(rng);
  EXPECT_TRUE(detect_seasons(y, hourly()).empty());
}

TEST(SeasonDetect, OtherPeriodsAndGaps) {
  // A 37-step cycle with a long gap in the middle.
  std::vector<double> y(800);
  for (int t = 0; t < 800; ++t) y[t] = std::sin(2 * M_PI * t / 37) + 0.1 * std::cos(t * 1.7);
  for (int t = 300; t < 380; ++t) y[t] = NAN;
  const auto s = detect_seasons(y, SeasonOptions{});
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0].period, 37);
}

TEST(SeasonDetect, AcfOfAPureCycle) {
  std::vector<double> y(480);
  for (int t = 0; t < 480; ++t) y[t] = std::sin(2 * M_PI * t / 24);
  const auto acf = detrended_acf(y, 24, 48);
  EXPECT_NEAR(acf[24], 1.0, 0.05);
  EXPECT_NEAR(acf[12], -1.0, 0.05);
}

}  // namespace
}  // namespace kpulse::analytics
