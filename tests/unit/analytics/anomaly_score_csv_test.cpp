#include "analytics/anomaly_score_csv.h"

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(ScoreSeriesCsv, EchoesEveryRowWithAScore) {
  std::string csv = "timestamp,value\n";
  for (int i = 0; i < 300; ++i)
    csv += std::to_string(1700000000 + i) + "," + std::to_string(40 + (i % 7) * 0.5) + "\n";
  csv += "1700000300,100\n";  // saturation after a steady stretch
  std::istringstream in(csv);
  std::ostringstream out;
  EXPECT_EQ(score_series_csv(in, out, "cpu.csv"), 301);

  auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 302u);
  EXPECT_EQ(lines[0], "timestamp,value,anomaly_score");
  EXPECT_EQ(lines[1].substr(0, 14), "1700000000,40,");
  EXPECT_EQ(lines[301].substr(0, 15), "1700000300,100,");
  double max_normal = 0;
  for (size_t i = 1; i < 301; ++i) {
    const double s = std::stod(lines[i].substr(lines[i].rfind(',') + 1));
    ASSERT_GE(s, 0.0);
    ASSERT_LE(s, 1.0);
    max_normal = std::max(max_normal, s);
  }
  const double last = std::stod(lines[301].substr(lines[301].rfind(',') + 1));
  EXPECT_GT(last, 0.5);
  EXPECT_GT(last, max_normal);
}

TEST(ScoreSeriesCsv, KeepsCalendarTimestampTextAndValuePrecision) {
  std::istringstream in("timestamp,value\n2014-02-14 14:27:00,51.846000000000004\n");
  std::ostringstream out;
  score_series_csv(in, out, "x");
  EXPECT_EQ(lines_of(out.str())[1], "2014-02-14 14:27:00,51.846000000000004,0.000000");
}

TEST(ScoreSeriesCsv, AClockStepBackIsScoredInRowOrderWithOneWarning) {
  // A DST change: 02:55 is followed by 02:00 again (as in NAB's
  // machine_temperature_system_failure.csv), and a row repeats later.
  std::string csv = "timestamp,value\n";
  for (int m = 0; m < 60; m += 5)
    csv += "2013-12-02 02:" + std::string(m < 10 ? "0" : "") + std::to_string(m) + ":00,7" +
           std::to_string(m % 3) + "\n";
  csv += "2013-12-02 02:00:00,71\n2013-12-02 02:05:00,72\n2013-12-02 02:05:00,73\n";
  std::istringstream in(csv);
  std::ostringstream out, warn;
  EXPECT_EQ(score_series_csv(in, out, "temp.csv", warn), 15);
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 16u);
  EXPECT_EQ(lines[13].substr(0, 23), "2013-12-02 02:00:00,71,");
  EXPECT_EQ(lines[15].substr(0, 23), "2013-12-02 02:05:00,73,");
  EXPECT_THAT(lines_of(warn.str()),
              ::testing::ElementsAre(::testing::HasSubstr(
                  "temp.csv:14: warning: timestamp '2013-12-02 02:00:00' steps back from the "
                  "previous row's '2013-12-02 02:55:00'")));
}

TEST(ScoreSeriesCsv, ValuesThatOverflowTheArithmeticAreRejectedWithTheirLine) {
  // Alternating +-1e308 once crashed the detector (an infinite surprise
  // indexed its histogram out of range); such values are now refused.
  std::istringstream in("timestamp,value\n1,1e308\n2,-1e308\n");
  std::ostringstream out;
  try {
    score_series_csv(in, out, "big.csv");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("big.csv:2: value '1e308' is beyond +-1e100"));
  }
  std::istringstream nan_in("timestamp,value\n1,5\n2,nan\n");
  EXPECT_THROW(score_series_csv(nan_in, out, "nan.csv"), std::runtime_error);
}

TEST(ScoreSeriesCsv, BadInputNamesTheLine) {
  std::istringstream in("timestamp,value\n1,2\n2,x\n");
  std::ostringstream out;
  EXPECT_THROW(
      {
        try {
          score_series_csv(in, out, "b.csv");
        } catch (const std::runtime_error& e) {
          EXPECT_THAT(e.what(), ::testing::HasSubstr("b.csv:3: value 'x'"));
          throw;
        }
      },
      std::runtime_error);
}

}  // namespace
}  // namespace kpulse::analytics
