#include "analytics/anomaly_recent_days.h"

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

constexpr double kMidnight = 1700006400;  // 2023-11-15 00:00 UTC
constexpr double kHour = 3600, kDay = 86400;

TEST(RecentDays, RemembersThisTimeOfDayOnPastDaysOnly) {
  RecentDays days(288, 3, 3);  // 5-minute bins, 3 days, +-15 minutes
  days.add(kMidnight + 10 * kHour, 100.0);
  EXPECT_LT(days.nearest(kMidnight + 10 * kHour + 60, 100.0), 0) << "today does not count";
  EXPECT_DOUBLE_EQ(days.nearest(kMidnight + kDay + 10 * kHour + 600, 90.0), 10.0);  // +10 min
  EXPECT_LT(days.nearest(kMidnight + kDay + 11 * kHour, 90.0), 0) << "an hour off is too far";
  EXPECT_LT(days.nearest(kMidnight + 4 * kDay + 10 * kHour, 90.0), 0) << "older than 3 days";
}

TEST(RecentDays, KeepsTheMeanOfABinAndTheClosestOfSeveralDays) {
  RecentDays days(288, 3, 0);
  days.add(kMidnight + 60, 10.0);
  days.add(kMidnight + 120, 20.0);        // same bin, same day: mean 15
  days.add(kMidnight + kDay + 60, 40.0);  // next day
  EXPECT_DOUBLE_EQ(days.nearest(kMidnight + 2 * kDay + 60, 16.0), 1.0);
  EXPECT_DOUBLE_EQ(days.nearest(kMidnight + 2 * kDay + 60, 38.0), 2.0);
}

TEST(RecentDays, WrapsAroundMidnight) {
  RecentDays days(288, 3, 3);
  days.add(kMidnight - 300, 5.0);                                    // 23:55 the day before
  EXPECT_DOUBLE_EQ(days.nearest(kMidnight + kDay + 300, 7.0), 2.0);  // 00:05, two days on
}

}  // namespace
}  // namespace kpulse::analytics
