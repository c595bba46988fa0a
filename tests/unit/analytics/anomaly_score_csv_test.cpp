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

TEST(ScoreSeriesCsv, RejectsTimeGoingBackwardsAfterWritingEarlierRows) {
  std::istringstream in("timestamp,value\n100,1\n100,2\n99,3\n");
  std::ostringstream out;
  try {
    score_series_csv(in, out, "s.csv");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("s.csv:4: timestamp '99' is earlier"));
  }
  EXPECT_EQ(lines_of(out.str()).size(), 3u);  // header and the two good rows
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
