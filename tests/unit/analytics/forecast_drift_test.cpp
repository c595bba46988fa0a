#include "analytics/forecast_drift.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

TEST(ForecastDrift, StudentTQuantilesMatchTheTablesAndTheNormalLimit) {
  EXPECT_NEAR(student_t_quantiles(1).q95, 12.706, 1e-3);
  EXPECT_NEAR(student_t_quantiles(30).q80, 1.310, 1e-3);
  EXPECT_NEAR(student_t_quantiles(31).q95, 2.040, 2e-3);
  EXPECT_NEAR(student_t_quantiles(100000).q80, 1.2816, 1e-3);
  EXPECT_NEAR(student_t_quantiles(100000).q95, 1.9600, 1e-3);
}

// Hyndman's drift method: the line through the first and last values, with
// sd_h = sigma sqrt(h (1 + h / T)); a gap counts its steps. The short-series
// forecast is the last value, its intervals spanning naive and drift.
TEST(ForecastDrift, FitsTheSlopeAcrossGapsAndSpansBothBenchmarks) {
  const std::vector<double> y{10, NAN, 14, 15, 15, 20};
  const DriftModel m = fit_drift(y);
  ASSERT_TRUE(m.ok);
  EXPECT_DOUBLE_EQ(m.slope, 2.0);
  EXPECT_EQ(m.dof, 3);        // four changes, one slope
  EXPECT_EQ(m.naive_dof, 4);  // naive fits nothing
  EXPECT_GT(m.sigma, 0);
  const Forecast f = benchmark_forecast(m, static_cast<int>(y.size()), 4);
  EXPECT_DOUBLE_EQ(f.point[0], 20);
  for (int h = 0; h < 4; ++h) {
    const double drift = 20 + 2.0 * (h + 1);
    EXPECT_GT(f.hi80[h], drift) << h;  // the trend going on is inside
    EXPECT_LT(f.lo80[h], 20) << h;     // and so is it stopping
    if (h > 0) {
      EXPECT_GT(f.hi95[h] - f.lo95[h], f.hi95[h - 1] - f.lo95[h - 1]);
    }
  }
  EXPECT_FALSE(fit_drift(std::vector<double>{1, NAN, 2}).ok);  // two values
}

// Short series are marked low-confidence, with the reason; long ones not.
TEST(ForecastDrift, ShortSeriesForecastsSayTheyAreLowConfidence) {
  ForecastOptions o;
  o.horizon = 6;
  const Forecast short_one = forecast_series(std::vector<double>{1, 2, 3}, o);
  EXPECT_TRUE(short_one.low_confidence);
  EXPECT_EQ(short_one.method, "naive+drift");
  EXPECT_NE(short_one.note.find("3 values"), std::string::npos) << short_one.note;
  const Forecast long_one = forecast_series(std::vector<double>(500, 3.0), o);
  EXPECT_FALSE(long_one.low_confidence) << long_one.note;
}

}  // namespace
}  // namespace kpulse::analytics
