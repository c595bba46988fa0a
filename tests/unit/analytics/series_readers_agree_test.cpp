// `kpulse forecast` and `kpulse analyze --series` read the same files the
// same way. They disagreed on a header-only file (forecast: "no data rows",
// exit 1; analyze: a header and exit 0) and on fractional timestamps
// (forecast rounded them to whole seconds and warned that rows repeat).
#include <sstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "analytics/anomaly_score_csv.h"
#include "analytics/forecast_csv.h"

namespace kpulse::analytics {
namespace {

// What score_series_csv refused with ("" when it did not).
std::string analyze_error(const std::string& csv, std::string* out = nullptr) {
  std::istringstream in(csv);
  std::ostringstream o, warn;
  try {
    score_series_csv(in, o, "s.csv", warn);
  } catch (const std::runtime_error& e) {
    if (out) *out = o.str();
    return e.what();
  }
  if (out) *out = o.str();
  return "";
}

TEST(SeriesReadersAgree, AHeaderOnlyFileHasNoDataRowsForBoth) {
  std::istringstream in("timestamp,value\n");
  std::ostringstream out, err;
  EXPECT_EQ(forecast_csv(in, out, 3, err, "s.csv"), 1);
  EXPECT_EQ(err.str(), "s.csv: no data rows\n");
  std::string scored;
  EXPECT_EQ(analyze_error("timestamp,value\n", &scored), "s.csv: no data rows");
  EXPECT_EQ(scored, "") << "a header was printed for no rows";
}

TEST(SeriesReadersAgree, FractionalTimestampsAreKeptByBoth) {
  // A millisecond series: rounded to whole seconds, every row "repeated" the
  // one before and the series collapsed to one slot.
  std::string csv = "timestamp,value\n";
  for (int i = 0; i < 200; ++i)
    csv += "1700000000." +
           std::string(i < 10    ? "00"
                       : i < 100 ? "0"
                                 : "") +
           std::to_string(i) + "," + std::to_string(10 + i % 5) + "\n";
  EXPECT_EQ(analyze_error(csv), "");
  std::istringstream in(csv);
  std::ostringstream out, note, err;
  ForecastCsvLayout layout;
  layout.timestamps = true;
  ASSERT_EQ(forecast_csv_laid_out(in, out, 2, layout, std::nullopt, note, err, "s.csv"), 0)
      << err.str();
  EXPECT_EQ(err.str(), "") << "fractional timestamps were rounded";
  // The steps are 1 ms apart after the last row (1700000000.199).
  std::istringstream lines(out.str());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(first.substr(0, first.find(' ')), "2023-11-14T22:13:20.200Z") << first;
  EXPECT_EQ(second.substr(0, second.find(' ')), "2023-11-14T22:13:20.201Z") << second;
}

// Forecast refused a timestamp of 1e300 ("bad timestamp"); analyze scored it.
TEST(SeriesReadersAgree, ATimestampBeyondAnyCalendarIsRefusedByBothInTheSameWords) {
  const std::string csv = "timestamp,value\n1,1\n1e300,2\n";
  const std::string why = "s.csv:3: timestamp '1e300' is beyond +-1e15 s, the widest range read";
  EXPECT_EQ(analyze_error(csv), why);
  std::istringstream in(csv);
  std::ostringstream out, err;
  EXPECT_EQ(forecast_csv(in, out, 3, err, "s.csv"), 1);
  EXPECT_EQ(err.str(), why + "\n");
}

TEST(SeriesReadersAgree, WholeSecondTimestampsKeepTheirFormat) {
  std::istringstream in("timestamp,value\n60,1\n120,2\n180,3\n");
  std::ostringstream out, note, err;
  ForecastCsvLayout layout;
  layout.timestamps = true;
  ASSERT_EQ(forecast_csv_laid_out(in, out, 1, layout, std::nullopt, note, err, "s.csv"), 0);
  EXPECT_EQ(out.str().substr(0, out.str().find(' ')), "1970-01-01T00:04:00Z");
}

}  // namespace
}  // namespace kpulse::analytics
