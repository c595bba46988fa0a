#include "tune/periodicity.h"

#include <random>

#include <gtest/gtest.h>

namespace kpulse::tune {
namespace {

std::vector<double> bursts(int period, int len, int count, int phase, double noise) {
  std::mt19937 rng(7);
  std::normal_distribution<double> n(0, noise);
  std::vector<double> x;
  for (int i = 0; i < period * count; ++i)
    x.push_back(((i + period - phase) % period < len ? 1.0 : 0.05) + n(rng));
  return x;
}

TEST(Periodicity, FindsThePeriodOnsetAndBurstLength) {
  auto x = bursts(20, 5, 4, 3, 0.02);
  auto p = detect_period(x, 4);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->period, 20);
  EXPECT_GT(p->strength, 0.8);
  EXPECT_EQ(p->last_onset, 63);  // bursts start at 3, 23, 43, 63
  EXPECT_NEAR(p->burst_len, 5, 0.5);
}

TEST(Periodicity, NoiseAndFlatSeriesHaveNoPeriod) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> noise;
  for (int i = 0; i < 120; ++i) noise.push_back(u(rng));
  EXPECT_FALSE(detect_period(noise, 4));
  EXPECT_FALSE(detect_period(std::vector<double>(120, 0.5), 4));
}

TEST(Periodicity, NeedsTwoPeriodsOfData) {
  EXPECT_FALSE(detect_period(bursts(20, 5, 1, 0, 0.0), 4));
}

}  // namespace
}  // namespace kpulse::tune
