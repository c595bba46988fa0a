#include "analytics/forecast_capacity.h"

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

TEST(ForecastCapacity, FirstCrossing) {
  const std::vector<double> p{1, 2, 3, 4};
  EXPECT_EQ(first_crossing(p, 3), 2);
  EXPECT_EQ(first_crossing(p, 5), std::nullopt);
  EXPECT_EQ(first_crossing(p, 1.5, /*rising=*/false), 0);
}

TEST(ForecastCapacity, DiskFullAtPointAndEarliestAtUpperBound) {
  Forecast f;
  for (int h = 0; h < 100; ++h) {
    f.point.push_back(10.0 * h);
    f.hi95.push_back(10.0 * h + 100);
    f.lo95.push_back(10.0 * h - 100);
  }
  const Exhaustion e = capacity_exhaustion(f, 500, 3600);
  ASSERT_TRUE(e.expected_s && e.earliest_s);
  EXPECT_EQ(*e.expected_s, 51 * 3600);  // point reaches 500 at h = 50
  EXPECT_EQ(*e.earliest_s, 41 * 3600);  // upper bound at h = 40
  EXPECT_FALSE(capacity_exhaustion(f, 5000, 3600).expected_s);
}

TEST(ForecastCapacity, FormatDuration) {
  EXPECT_EQ(format_duration(3 * 86400 + 4 * 3600 + 59), "3 d 4 h");
  EXPECT_EQ(format_duration(5 * 3600 + 20 * 60), "5 h 20 min");
  EXPECT_EQ(format_duration(86400), "1 d");
  EXPECT_EQ(format_duration(45), "45 s");
  EXPECT_EQ(format_duration(0), "0 s");
}

}  // namespace
}  // namespace kpulse::analytics
