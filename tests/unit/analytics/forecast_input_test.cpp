#include "analytics/forecast_input.h"

#include <cmath>
#include <sstream>

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

std::vector<TimedValue> read(const std::string& text) {
  std::istringstream in(text);
  return read_timed_values(in, "test.csv");
}

std::string error_of(const std::string& text) {
  try {
    read(text);
  } catch (const ForecastInputError& e) {
    return e.what();
  }
  return "";
}

TEST(ForecastInput, ReadsUnixAndCalendarTimestampsAfterAHeader) {
  const auto rows = read("timestamp,value\n3600,1.5\n\n2018-03-15 01:00:00, 2\n1521079200,nan\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].t, 3600);
  EXPECT_DOUBLE_EQ(rows[0].value, 1.5);
  EXPECT_EQ(rows[1].t, 1521075600);  // 2018-03-15T01:00:00Z
  EXPECT_DOUBLE_EQ(rows[1].value, 2.0);
  EXPECT_TRUE(std::isnan(rows[2].value));
}

TEST(ForecastInput, ErrorsNameTheLineAndReason) {
  EXPECT_EQ(error_of("timestamp,value\n1,2\nabc,3\n"), "test.csv:3: bad timestamp 'abc'");
  EXPECT_EQ(error_of("1,2\n2,x\n"), "test.csv:2: bad value 'x'");
  EXPECT_EQ(error_of("5,1\n5,2\n"), "test.csv:2: timestamp 5 does not increase (previous 5)");
  EXPECT_EQ(error_of("1,2,3\n"), "test.csv:1: more than two columns");
  EXPECT_EQ(error_of("1;2\n"), "test.csv:1: expected 'timestamp,value', got '1;2'");
  // A header is only accepted as the first line.
  EXPECT_EQ(error_of("1,2\ntimestamp,value\n"), "test.csv:2: bad timestamp 'timestamp'");
}

TEST(ForecastInput, RegularGridKeepsGapsAsMissing) {
  // Step 60 s; 180 is absent; 241 lands on the 240 slot.
  const auto s = to_regular({{0, 1}, {60, 2}, {120, 3}, {241, 5}, {300, 6}});
  EXPECT_EQ(s.start, 0);
  EXPECT_EQ(s.step, 60);
  ASSERT_EQ(s.values.size(), 6u);
  EXPECT_DOUBLE_EQ(s.values[2], 3);
  EXPECT_TRUE(std::isnan(s.values[3]));
  EXPECT_DOUBLE_EQ(s.values[4], 5);
  EXPECT_DOUBLE_EQ(s.values[5], 6);
}

TEST(ForecastInput, RowsSharingASlotAreAveraged) {
  const auto s = to_regular({{0, 1}, {10, 2}, {20, 3}, {30, 4}, {34, 8}});
  EXPECT_EQ(s.step, 10);
  ASSERT_EQ(s.values.size(), 4u);
  EXPECT_DOUBLE_EQ(s.values[3], 6);
}

TEST(ForecastInput, WildTimestampIsRejectedNotAllocated) {
  EXPECT_THROW(to_regular({{0, 1}, {1, 1}, {2, 1}, {4'000'000'000, 1}}, 1000), ForecastInputError);
}

}  // namespace
}  // namespace kpulse::analytics

namespace kpulse::analytics {
namespace {

TEST(ForecastInput, JitteryTimestampsSnapToTheUsualStep) {
  // Minute samples whose gaps wander between 59 and 61 s.
  std::vector<TimedValue> rows;
  int64_t t = 1000;
  for (int i = 0; i < 30; ++i) {
    rows.push_back({t, double(i)});
    t += 59 + (i * 7) % 3;
  }
  const auto s = to_regular(rows);
  EXPECT_EQ(s.step, 60);
  EXPECT_EQ(s.values.size(), 30u);
  for (size_t i = 0; i < s.values.size(); ++i) EXPECT_DOUBLE_EQ(s.values[i], double(i)) << i;
}

}  // namespace
}  // namespace kpulse::analytics
