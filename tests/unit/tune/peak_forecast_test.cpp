// The next periodic peak from the analytics forecaster, on synthetic series:
// CPU bursts, a memory plateau clipped at its limit, and series with no peak.
#include "tune/peak_forecast.h"

#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace kpulse::tune {
namespace {

// `count` periods of `period` samples: `len` samples at `high` starting at
// phase `phase`, `low` otherwise, plus Gaussian noise.
std::vector<double> bursts(int period, int len, int samples, int phase, double low, double high,
                           double noise, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> n(0, noise);
  std::vector<double> x;
  x.reserve(samples);
  for (int i = 0; i < samples; ++i)
    x.push_back(((i + period - phase) % period < len ? high : low) + n(rng));
  return x;
}

// Bursts start at 3, 23, 43, ...: after `samples`, the next one is this far.
int samples_to_next(int period, int phase, int samples) {
  int next = phase;
  while (next < samples) next += period;
  return next - samples + 1;  // 1 = the next sample
}

TEST(PeakForecast, FindsTheNextBurstAtEveryPhase) {
  PeakForecastOptions o;
  // Every position in a period, so onsets both near and far are checked.
  for (int samples = 60; samples < 80; ++samples) {
    auto x = bursts(20, 4, samples, 3, 0.02, 1.0, 0.02);
    auto p = predict_peak(x, o);
    ASSERT_TRUE(p) << samples;
    EXPECT_EQ(p->period, 20);
    EXPECT_EQ(p->onset, samples_to_next(20, 3, samples)) << "history of " << samples;
    EXPECT_GT(p->peak, 0.8);
    EXPECT_GT(p->threshold, 0.1);
    EXPECT_LT(p->threshold, 0.9);
  }
}

TEST(PeakForecast, BurstLengthComesFromTheForecast) {
  auto x = bursts(20, 5, 70, 3, 0.02, 1.0, 0.01);  // next burst at 83: 14 samples on
  auto p = predict_peak(x, {});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->onset, 14);
  EXPECT_NEAR(p->length, 5, 1);
}

TEST(PeakForecast, AMinutePeriodAtOneSecondSamples) {
  auto x = bursts(60, 6, 150, 10, 0.02, 1.0, 0.03);  // next burst at 190
  auto p = predict_peak(x, {});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->period, 60);
  EXPECT_EQ(p->onset, samples_to_next(60, 10, 150));
}

TEST(PeakForecast, AMemoryPlateauClippedAtItsLimit) {
  // 40 MiB resident, 64 MiB (the limit) for 5 of every 15 samples.
  const double mib = 1048576;
  auto x = bursts(15, 5, 50, 2, 40 * mib, 64 * mib, 0.3 * mib);
  auto p = predict_peak(x, {});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->period, 15);
  EXPECT_EQ(p->onset, samples_to_next(15, 2, 50));
  EXPECT_NEAR(p->peak, 64 * mib, 2 * mib);
}

TEST(PeakForecast, NoPeakInNoiseOrAFlatSeries) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> noise(120);
  for (double& v : noise) v = u(rng);
  EXPECT_FALSE(predict_peak(noise, {}));
  EXPECT_FALSE(predict_peak(std::vector<double>(120, 0.5), {}));
}

TEST(PeakForecast, NeedsTwoPeriodsOfHistory) {
  EXPECT_FALSE(predict_peak(bursts(20, 5, 30, 0, 0.0, 1.0, 0.0), {}));
}

}  // namespace
}  // namespace kpulse::tune
