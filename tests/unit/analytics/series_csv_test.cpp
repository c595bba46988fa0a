#include "analytics/series_csv.h"

#include <cstring>
#include <functional>
#include <sstream>
#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analytics/forecast_input.h"

namespace kpulse::analytics {
namespace {

using ::testing::HasSubstr;

std::vector<SeriesRow> parse(const std::string& text) {
  std::istringstream in(text);
  return read_series_csv(in, "input.csv");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(SeriesCsv, ReadsCalendarTimestampsAsUtc) {
  auto rows = parse("timestamp,value\n2014-02-14 14:30:00,0.132\n2014-02-14 14:35:00,51.5\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].timestamp_text, "2014-02-14 14:30:00");
  EXPECT_DOUBLE_EQ(rows[0].t_unix, 1392388200.0);  // date -u -d '2014-02-14 14:30:00' +%s
  EXPECT_DOUBLE_EQ(rows[0].value, 0.132);
  EXPECT_DOUBLE_EQ(rows[1].t_unix - rows[0].t_unix, 300.0);
  EXPECT_DOUBLE_EQ(rows[1].value, 51.5);
}

TEST(SeriesCsv, ReadsUnixSecondsIntegerAndFractional) {
  auto rows = parse("timestamp,value\n1700000000,1\n1700000000.25,-2.5e3\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_DOUBLE_EQ(rows[0].t_unix, 1700000000.0);
  EXPECT_DOUBLE_EQ(rows[1].t_unix, 1700000000.25);
  EXPECT_DOUBLE_EQ(rows[1].value, -2500.0);
  EXPECT_EQ(rows[1].timestamp_text, "1700000000.25");
}

TEST(SeriesCsv, AcceptsCrlfBlankLinesAndFractionalCalendarSeconds) {
  auto rows = parse("timestamp,value\r\n\r\n2000-03-01 00:00:00.500000,3\r\n\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_DOUBLE_EQ(rows[0].t_unix, 951868800.5);
  EXPECT_EQ(rows[0].timestamp_text, "2000-03-01 00:00:00.500000");
}

TEST(SeriesCsv, HeaderOnlyGivesNoRows) {
  EXPECT_TRUE(parse("timestamp,value\n").empty());
}

TEST(SeriesCsv, ErrorsNameSourceLineAndReason) {
  EXPECT_THAT(error_of(""), HasSubstr("input.csv:1: empty input"));
  EXPECT_THAT(error_of("time,val\n1,2\n"), HasSubstr("input.csv:1: expected header"));
  EXPECT_THAT(error_of("timestamp,value\n1,2\n2,abc\n"),
              HasSubstr("input.csv:3: value 'abc' is not a number"));
  EXPECT_THAT(error_of("timestamp,value\n1,2\n\n2014-13-01 00:00:00,1\n"),
              HasSubstr("input.csv:4: timestamp '2014-13-01 00:00:00' is not a valid date"));
  EXPECT_THAT(error_of("timestamp,value\nyesterday,1\n"),
              HasSubstr("input.csv:2: timestamp 'yesterday' is neither"));
  EXPECT_THAT(error_of("timestamp,value\n1,2,3\n"), HasSubstr("input.csv:2: expected 2"));
  EXPECT_THAT(error_of("timestamp,value\n1\n"), HasSubstr("input.csv:2: expected 2"));
  EXPECT_THAT(error_of("timestamp,value\n1,nan\n"),
              HasSubstr("input.csv:2: value 'nan' is not finite"));
  EXPECT_THAT(error_of("timestamp,value\n2014-02-14 14:30:00+01,1\n"),
              HasSubstr("input.csv:2: timestamp '2014-02-14 14:30:00+01' has trailing text"));
}

// Input with no newline, as /dev/zero or a binary file gives: endless
// (up to a cap), counting what the reader took from it.
class EndlessLine : public std::streambuf {
 public:
  explicit EndlessLine(size_t cap) : cap_(cap) { std::memset(chunk_, 'x', sizeof chunk_); }
  size_t served = 0;

 protected:
  int_type underflow() override {
    if (served >= cap_) return traits_type::eof();
    setg(chunk_, chunk_, chunk_ + sizeof chunk_);
    served += sizeof chunk_;
    return traits_type::to_int_type(chunk_[0]);
  }

 private:
  size_t cap_;
  char chunk_[4096];
};

// Both readers stop at the line bound with file:line:reason; they used to
// grow one line for as long as the input lasted (4 GB in 8 s on /dev/zero).
TEST(SeriesCsv, ALineWithoutEndIsRefusedAtTheBoundNotReadToTheEnd) {
  const std::function<void(std::istream&)> readers[] = {
      [](std::istream& in) { read_series_csv(in, "zero.csv"); },    // analyze --series
      [](std::istream& in) { read_timed_values(in, "zero.csv"); },  // forecast
  };
  for (const auto& read : readers) {
    EndlessLine buf(size_t(256) << 20);
    std::istream in(&buf);
    try {
      read(in);
      ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("zero.csv:1: line longer than"));
    }
    EXPECT_LE(buf.served, 4 * kMaxCsvLineBytes);
  }
}

TEST(SeriesCsv, StreamingReaderYieldsRowsOneByOne) {
  std::istringstream in("timestamp,value\n10,1\n20,2\n");
  SeriesCsvReader reader(in, "s");
  SeriesRow row;
  ASSERT_TRUE(reader.next(row));
  EXPECT_DOUBLE_EQ(row.value, 1);
  ASSERT_TRUE(reader.next(row));
  EXPECT_DOUBLE_EQ(row.t_unix, 20);
  EXPECT_FALSE(reader.next(row));
}

}  // namespace
}  // namespace kpulse::analytics
