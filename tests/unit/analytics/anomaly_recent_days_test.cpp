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

TEST(RecentDays, EveryDayAnswersOnlyForASurpriseSeenOnEveryKeptDay) {
  RecentDays days(288, 3, 3);
  // A nightly job near 03:00 that wanders by up to half an hour: each night a
  // burst of about 50 on a baseline of about 5 (surprise about +45).
  days.add(kMidnight + 3 * kHour + 1800, 50.0, 45.0);         // day 0, 03:30
  days.add(kMidnight + kDay + 3 * kHour - 1200, 52.0, 47.0);  // day 1, 02:40
  const double day3 = kMidnight + 3 * kDay + 3 * kHour;       // day 3, 03:00
  EXPECT_LT(days.nearest_every_day(day3, 51.0, 46.0, 9), 0) << "day 2 has not seen it";
  days.add(kMidnight + 2 * kDay + 3 * kHour + 600, 47.0, 42.0);  // day 2, 03:10
  EXPECT_DOUBLE_EQ(days.nearest_every_day(day3, 51.0, 46.0, 9), 4.0) << "worst of the days";
  EXPECT_LT(days.nearest_every_day(day3 - 2700, 51.0, 46.0, 9), 0) << "75 min from day 0's";
  EXPECT_LT(days.nearest_every_day(day3, 51.0, -46.0, 9), 0) << "a surprise the other way";
}

TEST(RecentDays, AValueThatWasOrdinaryThenDoesNotExplainASurpriseNow) {
  // A daily peak of 40 from 03:00; today it does not come: 5 at 03:00 is a
  // surprise (-35) although 5 was read just before 03:00 every day.
  RecentDays days(288, 3, 3);
  for (int day = 0; day < 3; ++day) {
    days.add(kMidnight + day * kDay + 3 * kHour - 600, 5.0, 0.1);
    days.add(kMidnight + day * kDay + 3 * kHour, 40.0, 0.2);
  }
  const double day3 = kMidnight + 3 * kDay + 3 * kHour;
  EXPECT_LT(days.nearest_every_day(day3, 5.0, -35.0, 9), 0);
  EXPECT_DOUBLE_EQ(days.nearest(day3, 5.0), 0.0) << "the value alone is remembered nearby";
}

// fuzz_series_csv found 4.7e70 s: t - floor(t / day) * day is no time of day
// for such a t (the product has lost every second), and its conversion to a
// bin index was undefined behaviour. Any finite time, however far, lands in
// a bin of its day and is remembered like any other.
TEST(RecentDays, TimesFarPastAnyCalendarLandInABinOfTheDay) {
  for (double t : {4.71159e70, -4.71159e70, 1.97e27, 1e300, -1e300}) {
    RecentDays days(288, 3, 3);
    days.add(t, 10.0, 0.5);
    days.add(t + kDay, 11.0, 0.5);
    // Negative (nothing remembered: at this magnitude a day later is the
    // same double) or the distance to a remembered 10 or 11.
    EXPECT_LE(days.nearest(t + 2 * kDay, 10.5), 0.5) << t;
  }
}

}  // namespace
}  // namespace kpulse::analytics
