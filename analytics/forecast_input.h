// Reading a metric series for the forecaster: `timestamp,value` CSV rows
// (unix seconds or "YYYY-MM-DD HH:MM:SS" UTC) placed on a regular time grid.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace kpulse::analytics {

// A malformed input row; what() names the source, the line and the reason.
class ForecastInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TimedValue {
  int64_t t = 0;  // unix seconds
  double value = 0;
};

// Rows in file order. A header line is allowed only as the first line; blank
// lines are skipped. Values are read by parse_series_value (series_csv.h), as
// `kpulse analyze --series` reads them: "nan", "inf" and magnitudes beyond
// 1e100 are errors; a missing step is a missing row. A timestamp that steps
// back or repeats (a clock step, a duplicated row) is kept, with one warning
// to `warn` for the first. Throws ForecastInputError, naming the source, the
// line and the reason, on anything else.
std::vector<TimedValue> read_timed_values(std::istream& in, const std::string& source_name,
                                          std::ostream* warn = nullptr);

// A series on a regular grid: values[i] is the value at start + i * step, NaN
// where no row fell in that step.
struct RegularSeries {
  int64_t start = 0;
  int64_t step = 1;
  std::vector<double> values;
};

// Places rows (in any order) on a grid whose step is the most common gap
// between successive times (so a few missing steps don't change it); rows off
// the grid go to the nearest slot, and rows sharing a slot are averaged. `max_steps` bounds the
// grid length (a wild timestamp would otherwise allocate without limit).
RegularSeries to_regular(const std::vector<TimedValue>& rows, size_t max_steps = 10'000'000);

}  // namespace kpulse::analytics
