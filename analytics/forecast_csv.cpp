#include "analytics/forecast_csv.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

#include "analytics/forecast.h"
#include "analytics/forecast_capacity.h"
#include "analytics/forecast_input.h"

namespace kpulse::analytics {

namespace {

std::string utc_iso8601(int64_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int run(std::istream& in, std::ostream& out, int horizon, const double* limit, std::ostream* note,
        std::ostream& err, const std::string& source_name, const ForecastCsvLayout& layout = {}) {
  if (horizon < 1) {
    err << "forecast: horizon must be at least 1 (got " << horizon << ")\n";
    return 1;
  }
  RegularSeries series;
  try {
    const auto rows = read_timed_values(in, source_name, &err);
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
  if (layout.header)
    text += layout.timestamps ? "time point lo80 hi80 lo95 hi95\n" : "point lo80 hi80 lo95 hi95\n";
  // Step h (0-based) lies h + 1 steps after the last input slot.
  const int64_t last_slot =
      series.start + static_cast<int64_t>(series.values.size() - 1) * series.step;
  for (int h = 0; h < horizon; ++h) {
    if (layout.timestamps) text += utc_iso8601(last_slot + int64_t{h + 1} * series.step) + " ";
    std::snprintf(line, sizeof line, "%.9g %.9g %.9g %.9g %.9g\n", f.point[h], f.lo80[h], f.hi80[h],
                  f.lo95[h], f.hi95[h]);
    text += line;
  }
  out << text;
  out.flush();
  if (limit && note) {
    // A limit above the last value is approached from below (disk filling),
    // one below it from above (free memory draining).
    double last = 0;
    for (double v : series.values)
      if (std::isfinite(v)) last = v;
    const bool rising = *limit >= last;
    const Exhaustion e = capacity_exhaustion(f, *limit, series.step, rising);
    std::snprintf(line, sizeof line, "%.9g", *limit);
    *note << "limit " << line;
    if (e.expected_s) {
      *note << " reached in " << format_duration(*e.expected_s);
      if (e.earliest_s && *e.earliest_s < *e.expected_s)
        *note << " (95 % bound: " << format_duration(*e.earliest_s) << ")";
    } else if (e.earliest_s) {
      *note << " not reached by the forecast; 95 % bound reaches it in "
            << format_duration(*e.earliest_s);
    } else {
      *note << " not reached within " << format_duration(int64_t{horizon} * series.step);
    }
    *note << "\n";
  }
  return out ? 0 : 1;
}

}  // namespace

int forecast_csv(std::istream& in, std::ostream& out, int horizon, std::ostream& err,
                 const std::string& source_name) {
  return run(in, out, horizon, nullptr, nullptr, err, source_name);
}

int forecast_csv_laid_out(std::istream& in, std::ostream& out, int horizon,
                          const ForecastCsvLayout& layout, std::optional<double> limit,
                          std::ostream& note, std::ostream& err, const std::string& source_name) {
  return run(in, out, horizon, limit ? &*limit : nullptr, &note, err, source_name, layout);
}

int forecast_csv_with_limit(std::istream& in, std::ostream& out, int horizon, double limit,
                            std::ostream& note, std::ostream& err, const std::string& source_name) {
  return run(in, out, horizon, &limit, &note, err, source_name);
}

}  // namespace kpulse::analytics
