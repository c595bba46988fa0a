#include "analytics/forecast_intervals.h"

#include <cmath>

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

// Errors spread evenly over [-1, 1] at every horizon, forecasts around 100.
std::vector<BacktestError> even_errors(int horizon, int per_step) {
  std::vector<BacktestError> errs;
  for (int h = 0; h < horizon; ++h)
    for (int i = 0; i < per_step; ++i)
      errs.push_back({h, 100.0 + (i % 3), -1.0 + 2.0 * i / (per_step - 1)});
  return errs;
}

TEST(ForecastIntervals, QuantilesOfAdditiveErrors) {
  const auto m = fit_intervals(even_errors(24, 41), 24, 1.0);
  EXPECT_FALSE(m.relative);
  ASSERT_FALSE(m.bands.empty());
  for (const auto& b : m.bands) {
    EXPECT_NEAR(b.q10, -0.8, 0.02);
    EXPECT_NEAR(b.q90, 0.8, 0.02);
    // The 95 % bound is at least the normal-consistent 1.53 x the 80 % one.
    EXPECT_NEAR(b.q975, 0.8 * 1.959964 / 1.281552, 0.03);
  }
  Forecast f;
  f.point.assign(24, 10.0);
  apply_intervals(m, 24, 4, f);  // 4 origins: widened by 1 + 0.1 / 2
  EXPECT_NEAR(f.hi80[0], 10.0 + 0.8 * 1.05, 0.03);
  EXPECT_NEAR(f.lo80[23], 10.0 - 0.8 * 1.05, 0.03);
}

TEST(ForecastIntervals, ProportionalErrorsChooseRelativeBands) {
  // Errors are 10 % of the forecast, which ranges from 1 to 1000.
  std::vector<BacktestError> errs;
  for (int i = 0; i < 400; ++i) {
    const double f = std::pow(10.0, 3.0 * (i % 40) / 39.0);
    errs.push_back({i % 24, f, f * 0.1 * ((i % 7) - 3) / 3.0});
  }
  const auto m = fit_intervals(errs, 24, 1e-9);
  EXPECT_TRUE(m.relative);
  Forecast f;
  f.point = {1.0, 1000.0};
  apply_intervals(m, 24, 1, f);
  EXPECT_NEAR((f.hi80[1] - f.lo80[1]) / (f.hi80[0] - f.lo80[0]), 1000.0, 1.0);
}

TEST(ForecastIntervals, BeyondTheBacktestTheyWiden) {
  const auto m = fit_intervals(even_errors(24, 41), 24, 1.0);
  Forecast f;
  f.point.assign(96, 0.0);
  apply_intervals(m, 24, 1, f);
  // At step 96 (4x the backtested horizon) a random walk is twice as wide.
  EXPECT_NEAR(f.hi95[95] / f.hi95[23], 2.0, 1e-9);
}

}  // namespace
}  // namespace kpulse::analytics
