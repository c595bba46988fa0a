// The forecast command's logic: CSV history in, one line per future step
// out ("point lo80 hi80 lo95 hi95"). Used by `kpulse forecast` and by the
// standalone kpulse_forecast_cli that evaluation harnesses pipe into.
#pragma once

#include <iostream>
#include <optional>
#include <string>

namespace kpulse::analytics {

// Reads `timestamp,value` rows (see forecast_input.h), forecasts `horizon`
// steps of the series' own step, writes exactly `horizon` lines to `out`.
// Returns 0, or 1 after writing "source:line: reason" to `err` (nothing goes
// to `out` then).
int forecast_csv(std::istream& in, std::ostream& out, int horizon, std::ostream& err = std::cerr,
                 const std::string& source_name = "-");

// Same, and with a capacity `limit`, also writes to `note` when the forecast
// reaches it, e.g. "limit 100 reached in 3 d 4 h (95 % bound: 2 d 1 h)" or
// "limit 100 not reached within 7 d" (seconds from the last input row).
int forecast_csv_with_limit(std::istream& in, std::ostream& out, int horizon, double limit,
                            std::ostream& note, std::ostream& err = std::cerr,
                            const std::string& source_name = "-");

// Optional columns for people reading the output (the default stays the
// five bare numbers that evaluation harnesses parse).
struct ForecastCsvLayout {
  bool timestamps = false;  // first column: the step's time, UTC ISO 8601
  bool header = false;      // a first line naming the columns
};

// forecast_csv / forecast_csv_with_limit with `layout`.
int forecast_csv_laid_out(std::istream& in, std::ostream& out, int horizon,
                          const ForecastCsvLayout& layout, std::optional<double> limit,
                          std::ostream& note, std::ostream& err, const std::string& source_name);

}  // namespace kpulse::analytics
