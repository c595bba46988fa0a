#include "analytics/forecast_csv.h"

#include <cstdio>
#include <string>

#include "analytics/forecast.h"
#include "analytics/forecast_input.h"

namespace kpulse::analytics {

int forecast_csv(std::istream& in, std::ostream& out, int horizon, std::ostream& err,
                 const std::string& source_name) {
  if (horizon < 1) {
    err << "forecast: horizon must be at least 1 (got " << horizon << ")\n";
    return 1;
  }
  RegularSeries series;
  try {
    const auto rows = read_timed_values(in, source_name);
    if (rows.empty()) {
      err << source_name << ": no data rows\n";
      return 1;
    }
    series = to_regular(rows);
  } catch (const ForecastInputError& e) {
    err << e.what() << "\n";
    return 1;
  }
  ForecastOptions opt;
  opt.horizon = horizon;
  opt.step_seconds = series.step;
  const Forecast f = forecast_series(series.values, opt);
  std::string text;
  text.reserve(static_cast<size_t>(horizon) * 64);
  char line[160];
  for (int h = 0; h < horizon; ++h) {
    std::snprintf(line, sizeof line, "%.9g %.9g %.9g %.9g %.9g\n", f.point[h], f.lo80[h], f.hi80[h],
                  f.lo95[h], f.hi95[h]);
    text += line;
  }
  out << text;
  out.flush();
  return out ? 0 : 1;
}

}  // namespace kpulse::analytics
