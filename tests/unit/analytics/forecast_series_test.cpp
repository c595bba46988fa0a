#include "analytics/forecast.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

constexpr int kH = 168;

// Hourly requests: daily cycle, quieter weekends, Poisson-like noise.
double truth(int t) {
  const int dow = (t / 24) % 7;
  return std::max(0.0, 200 + 120 * std::sin(2 * M_PI * (t % 24) / 24) - (dow >= 5 ? 80 : 0));
}

std::vector<double> series(int n, uint32_t seed, double noise_sd = 15) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, noise_sd);
  std::vector<double> y(n);
  for (int t = 0; t < n; ++t) y[t] = truth(t) + noise(rng);
  return y;
}

double mae_vs_truth(const Forecast& f, int origin) {
  double s = 0;
  for (int h = 0; h < kH; ++h) s += std::fabs(f.point[h] - truth(origin + h));
  return s / kH;
}

// The weekly seasonal naive forecast's error on the same future.
double snaive168_mae(const std::vector<double>& y) {
  const int n = static_cast<int>(y.size());
  double s = 0;
  for (int h = 0; h < kH; ++h) s += std::fabs(y[n - 168 + h] - truth(n + h));
  return s / kH;
}

TEST(ForecastSeries, ShapesAndOrdering) {
  const auto y = series(24 * 35, 1);
  const Forecast f = forecast_series(y, {});
  ASSERT_EQ(f.point.size(), size_t(kH));
  ASSERT_EQ(f.hi95.size(), size_t(kH));
  for (int h = 0; h < kH; ++h) {
    EXPECT_LE(f.lo95[h], f.lo80[h]);
    EXPECT_LE(f.lo80[h], f.point[h]);
    EXPECT_LE(f.point[h], f.hi80[h]);
    EXPECT_LE(f.hi80[h], f.hi95[h]);
  }
  EXPECT_NE(std::find(f.periods.begin(), f.periods.end(), 24), f.periods.end());
}

TEST(ForecastSeries, BeatsWeeklySeasonalNaiveOnNoisyWeeklyData) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    const auto y = series(24 * 35, seed);
    const Forecast f = forecast_series(y, {});
    EXPECT_LT(mae_vs_truth(f, y.size()), 0.8 * snaive168_mae(y)) << "seed " << seed;
  }
}

TEST(ForecastSeries, IntervalsCoverRoughlyTheirLevel) {
  int in80 = 0, in95 = 0, total = 0;
  for (uint32_t seed = 10; seed < 20; ++seed) {
    auto y = series(24 * 35 + kH, seed);
    const std::vector<double> future(y.end() - kH, y.end());
    y.resize(y.size() - kH);
    const Forecast f = forecast_series(y, {});
    for (int h = 0; h < kH; ++h, ++total) {
      in80 += future[h] >= f.lo80[h] && future[h] <= f.hi80[h];
      in95 += future[h] >= f.lo95[h] && future[h] <= f.hi95[h];
    }
  }
  EXPECT_NEAR(double(in80) / total, 0.80, 0.08);
  EXPECT_NEAR(double(in95) / total, 0.95, 0.04);
}

// Two minutes of a noisy 1 s gauge (a live agent's first forecast): a day
// is 86,400 steps there, far more than the history, and the forecast must
// still fit a model with intervals that cover what comes next, not fall
// back to the last value with zero width.
TEST(ForecastSeries, ShortSecondStepHistoryGetsARealModelAndIntervals) {
  int in80 = 0, in95 = 0, total = 0;
  for (uint32_t seed = 30; seed < 40; ++seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0, 0.03);
    std::vector<double> y(180);
    for (double& v : y) v = std::clamp(0.12 + noise(rng), 0.0, 1.0);
    const std::vector<double> future(y.end() - 60, y.end());
    y.resize(120);
    ForecastOptions opt;
    opt.horizon = 60;
    opt.step_seconds = 1;
    opt.bulk = true;
    const Forecast f = forecast_series(y, opt);
    ASSERT_EQ(f.point.size(), 60u);
    EXPECT_NE(f.method, "flat");
    EXPECT_GT(f.hi80[59] - f.lo80[59], 0.02) << f.method;
    EXPECT_NEAR(f.point[30], 0.12, 0.03) << f.method;
    for (int h = 0; h < 60; ++h, ++total) {
      in80 += future[h] >= f.lo80[h] && future[h] <= f.hi80[h];
      in95 += future[h] >= f.lo95[h] && future[h] <= f.hi95[h];
    }
  }
  EXPECT_NEAR(double(in80) / total, 0.80, 0.10);
  EXPECT_NEAR(double(in95) / total, 0.95, 0.05);
}

TEST(ForecastSeries, NeverNegativeForNonNegativeSeries) {
  // Sparse counts: mostly zeros, a falling trend that would extrapolate below 0.
  std::mt19937 rng(5);
  std::poisson_distribution<int> arrivals(0.3);
  std::vector<double> y(24 * 20);
  for (size_t t = 0; t < y.size(); ++t) y[t] = arrivals(rng) + std::max(0.0, 40.0 - t * 0.1);
  const Forecast f = forecast_series(y, {});
  for (int h = 0; h < kH; ++h) {
    EXPECT_GE(f.point[h], 0.0);
    EXPECT_GE(f.lo95[h], 0.0);
  }
}

TEST(ForecastSeries, SurvivesAMultiDayGap) {
  auto y = series(24 * 40, 6);
  for (int t = 24 * 20; t < 24 * 24; ++t) y[t] = NAN;
  const Forecast f = forecast_series(y, {});
  for (int h = 0; h < kH; ++h) ASSERT_TRUE(std::isfinite(f.point[h]) && std::isfinite(f.hi95[h]));
  EXPECT_LT(mae_vs_truth(f, y.size()), 0.8 * snaive168_mae(y));
}

TEST(ForecastSeries, FollowsALevelShift) {
  auto y = series(24 * 35, 7);
  // Everything from 4 days before the end is 300 higher.
  for (size_t t = y.size() - 96; t < y.size(); ++t) y[t] += 300;
  const Forecast f = forecast_series(y, {});
  double mean_shift = 0;
  for (int h = 0; h < kH; ++h) mean_shift += f.point[h] - truth(y.size() + h);
  EXPECT_NEAR(mean_shift / kH, 300, 60);
}

TEST(ForecastSeries, IgnoresASpike) {
  const auto clean = series(24 * 35, 8);
  auto spiky = clean;
  spiky[spiky.size() - 30] = 1e6;
  const Forecast a = forecast_series(clean, {}), b = forecast_series(spiky, {});
  EXPECT_LT(mae_vs_truth(b, clean.size()), 1.2 * mae_vs_truth(a, clean.size()));
}

TEST(ForecastSeries, FollowsATrend) {
  std::vector<double> y(24 * 30);
  for (size_t t = 0; t < y.size(); ++t) y[t] = 50 + 0.5 * t + 10 * std::sin(2 * M_PI * t / 24);
  const Forecast f = forecast_series(y, {});
  // The last observed level is ~410; a trend-aware forecast keeps rising.
  EXPECT_GT(f.point[kH - 1], y.back() + 20);
}

TEST(ForecastSeries, DegenerateInputs) {
  EXPECT_EQ(forecast_series({}, {}).point, std::vector<double>(kH, 0.0));
  const std::vector<double> two{NAN, 5, 7};
  EXPECT_EQ(forecast_series(two, {}).point, std::vector<double>(kH, 7.0));
  const std::vector<double> flat(500, 3.0);
  const Forecast f = forecast_series(flat, {});
  for (int h = 0; h < kH; ++h) {
    EXPECT_DOUBLE_EQ(f.point[h], 3.0);
    EXPECT_DOUBLE_EQ(f.hi95[h], 3.0);
  }
}

TEST(ForecastSeries, FiveMinuteStepUsesDailyPeriodInSteps) {
  std::vector<double> y(288 * 16);
  for (size_t t = 0; t < y.size(); ++t) y[t] = 10 + 5 * std::sin(2 * M_PI * t / 288);
  ForecastOptions o;
  o.step_seconds = 300;
  o.horizon = 288;
  const Forecast f = forecast_series(y, o);
  for (int h = 0; h < 288; ++h) EXPECT_NEAR(f.point[h], 10 + 5 * std::sin(2 * M_PI * h / 288), 0.3);
}

TEST(ForecastSeries, BulkModeIsCloseToFullMode) {
  const auto y = series(24 * 14, 9);
  ForecastOptions bulk;
  bulk.bulk = true;
  const double full_err = mae_vs_truth(forecast_series(y, {}), y.size());
  const double bulk_err = mae_vs_truth(forecast_series(y, bulk), y.size());
  EXPECT_LT(bulk_err, 1.3 * full_err);
}

}  // namespace
}  // namespace kpulse::analytics

namespace kpulse::analytics {
namespace {

TEST(ForecastSeries, CleanCycleIsReproducedWhole) {
  // Minute steps, an hourly cycle, no noise: nothing to shrink away, and the
  // hourly period is found although it is neither a day nor a week.
  std::vector<double> y(60 * 24 * 3);
  for (size_t t = 0; t < y.size(); ++t) y[t] = 50 + 10 * std::sin(2 * M_PI * t / 60);
  ForecastOptions o;
  o.step_seconds = 60;
  o.horizon = 120;
  const Forecast f = forecast_series(y, o);
  ASSERT_FALSE(f.periods.empty());
  EXPECT_EQ(f.periods[0], 60);
  for (int h = 0; h < 120; ++h)
    EXPECT_NEAR(f.point[h], 50 + 10 * std::sin(2 * M_PI * (y.size() + h) / 60), 0.2) << h;
}

}  // namespace
}  // namespace kpulse::analytics
