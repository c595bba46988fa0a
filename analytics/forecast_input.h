// Reading a metric series for the forecaster: `timestamp,value` CSV rows
// (unix seconds, fractions kept, or "YYYY-MM-DD HH:MM:SS" UTC) placed on a
// regular time grid.
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
  double t = 0;  // unix seconds, with the fraction the file gave
  double value = 0;
};

// Rows in file order. A header line is allowed only as the first line; blank
// lines are skipped. Rows are read as `kpulse analyze --series` reads them
// (split_series_row, parse_series_timestamp and parse_series_value in
// series_csv.h): "nan", "inf" and magnitudes beyond 1e100 are errors, a
// missing step is a missing row, fractional seconds are kept. A timestamp
// that steps back or repeats (a clock step, a duplicated row) is kept, with
// one warning to `warn` for the first. Throws ForecastInputError, naming the
// source, the line and the reason, on anything else.
std::vector<TimedValue> read_timed_values(std::istream& in, const std::string& source_name,
                                          std::ostream* warn = nullptr);

// A series on a regular grid: values[i] is the value at start + i * step
// (seconds), NaN where no row fell in that step.
struct RegularSeries {
  double start = 0;
  double step = 1;
  std::vector<double> values;
};

// Places rows (in any order) on a grid whose step is the most common gap
// between successive times (so a few missing steps don't change it),
// measured in whole microseconds (a millisecond series has a 0.001 s step);
// rows off the grid go to the nearest slot, and rows sharing a slot are
// averaged. `max_steps` bounds the grid length (a wild timestamp would
// otherwise allocate without limit).
RegularSeries to_regular(const std::vector<TimedValue>& rows, size_t max_steps = 10'000'000);

}  // namespace kpulse::analytics
