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
  const auto rows = read("timestamp,value\n3600,1.5\n\n2018-03-15 01:00:00, 2\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].t, 3600);
  EXPECT_DOUBLE_EQ(rows[0].value, 1.5);
  EXPECT_EQ(rows[1].t, 1521075600);  // 2018-03-15T01:00:00Z
  EXPECT_DOUBLE_EQ(rows[1].value, 2.0);
}

TEST(ForecastInput, NonFiniteAndOverflowingValuesAreRejectedAsAnalyzeRejectsThem) {
  // "nan" used to be read as a missing step: an all-NaN input forecast
  // 0 0 0 0 0, and a constant 1.7e308 overflowed the model's sums to 0.
  EXPECT_EQ(error_of("timestamp,value\n1,2\n2,nan\n"),
            "test.csv:3: value 'nan' is not finite (a missing sample is a missing row)");
  EXPECT_EQ(error_of("1,inf\n"),
            "test.csv:1: value 'inf' is not finite (a missing sample is a missing row)");
  EXPECT_EQ(error_of("1,1.7e308\n"),
            "test.csv:1: value '1.7e308' is beyond +-1e100, the largest magnitude analysed");
  EXPECT_EQ(error_of("1,-1e400\n"),
            "test.csv:1: value '-1e400' is beyond +-1e100, the largest magnitude analysed");
  EXPECT_EQ(read("1,1e-400\n2,-1e100\n").size(), 2u);
}

TEST(ForecastInput, AClockStepBackOrARepeatIsKeptWithOneWarning) {
  std::istringstream in("0,1\n60,2\n120,3\n60,4\n180,5\n180,7\n240,8\n");
  std::ostringstream warn;
  const auto rows = read_timed_values(in, "dst.csv", &warn);
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(warn.str(),
            "dst.csv:4: warning: timestamp '60' steps back from the previous row's '120'; each row "
            "is placed by its time (later ones are not reported)\n");
  // On the grid, rows sharing a time are averaged; the step is still 60 s.
  const auto s = to_regular(rows);
  EXPECT_EQ(s.step, 60);
  ASSERT_EQ(s.values.size(), 5u);
  EXPECT_DOUBLE_EQ(s.values[1], 3.0);
  EXPECT_DOUBLE_EQ(s.values[3], 6.0);
}

TEST(ForecastInput, ErrorsNameTheLineAndReason) {
  // The messages are analyze --series' own (series_csv.h reads both).
  EXPECT_EQ(error_of("timestamp,value\n1,2\nabc,3\n"),
            "test.csv:3: timestamp 'abc' is neither unix seconds nor YYYY-MM-DD HH:MM:SS");
  EXPECT_EQ(error_of("1,2\n2,x\n"), "test.csv:2: value 'x' is not a number");
  EXPECT_EQ(error_of("1,2,3\n"), "test.csv:1: expected 2 comma-separated fields, found more");
  EXPECT_EQ(error_of("1;2\n"), "test.csv:1: expected 2 comma-separated fields, found 1");
  EXPECT_EQ(error_of("1e300,2\n"),
            "test.csv:1: timestamp '1e300' is beyond +-1e15 s, the widest range read");
  // A header is only accepted as the first line.
  EXPECT_EQ(error_of("1,2\ntimestamp,value\n"),
            "test.csv:2: timestamp 'timestamp' is neither unix seconds nor YYYY-MM-DD HH:MM:SS");
}

// A header naming the columns the other way round was skipped as a header
// and the rows read as values in 1970 with timestamps for values.
TEST(ForecastInput, AHeaderWithTheColumnsSwappedIsRefused) {
  std::istringstream in("value,timestamp\n5,1700000000\n6,1700003600\n");
  try {
    read_timed_values(in, "swapped.csv");
    ADD_FAILURE() << "accepted";
  } catch (const ForecastInputError& e) {
    EXPECT_NE(std::string(e.what()).find("swapped.csv:1: header 'value,timestamp'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(read("time,value\n1700000000,5\n").size(), 1u);  // other names still do
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
    rows.push_back({double(t), double(i)});
    t += 59 + (i * 7) % 3;
  }
  const auto s = to_regular(rows);
  EXPECT_EQ(s.step, 60);
  EXPECT_EQ(s.values.size(), 30u);
  for (size_t i = 0; i < s.values.size(); ++i) EXPECT_DOUBLE_EQ(s.values[i], double(i)) << i;
}

}  // namespace
}  // namespace kpulse::analytics
