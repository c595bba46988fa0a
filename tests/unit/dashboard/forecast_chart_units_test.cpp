// A forecast chart labels its values in the metric's catalog unit (a typed
// model::Unit), whatever the unit is: no bare numbers for seconds.
#include <gtest/gtest.h>

#include "dashboard/views.h"
#include "report/svg_chart.h"

namespace kpulse::dashboard {
namespace {

analytics::MetricForecast forecast(const char* component, const char* metric, model::Unit unit,
                                   double level, double limit) {
  analytics::MetricForecast f;
  f.component = component;
  f.metric = metric;
  f.unit = unit;
  f.origin_s = 1'700'000'000;
  f.step_s = 60;
  f.forecast.point = {level, level, level};
  f.forecast.lo80 = f.forecast.lo95 = {level * 0.9, level * 0.9, level * 0.9};
  f.forecast.hi80 = f.forecast.hi95 = {level * 1.1, level * 1.1, level * 1.1};
  f.limit = limit;
  f.limit_name = "budget";
  return f;
}

TEST(ForecastChartUnits, SecondsAreLabelledAsDurations) {
  const auto chart = forecast_chart(
      forecast("agent:kpulse", "self.drain_time", model::Unit::Seconds, 0.004, 0.05), {});
  ASSERT_TRUE(chart.has_value());
  const std::string svg = report::forecast_chart_svg(*chart);
  // The limit line reads "budget 50.0 ms", not "budget 0.05".
  EXPECT_NE(svg.find("budget 50.0 ms"), std::string::npos) << svg;
}

TEST(ForecastChartUnits, RatiosAreLabelledAsPercentages) {
  const auto chart = forecast("host:host", "psi.cpu.some_avg10", model::Unit::Ratio, 0.9337, 1.0);
  const auto c = forecast_chart(chart, {});
  ASSERT_TRUE(c.has_value());
  const std::string svg = report::forecast_chart_svg(*c);
  EXPECT_NE(svg.find("budget 100%"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("ratio"), std::string::npos) << svg;
}

}  // namespace
}  // namespace kpulse::dashboard
