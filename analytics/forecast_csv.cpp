#include "analytics/forecast_csv.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

#include "analytics/forecast.h"
#include "analytics/forecast_capacity.h"
#include "analytics/forecast_input.h"

namespace kpulse::analytics {

namespace {

// "2026-11-24T12:00:00Z"; with the fraction of a second a sub-second series
// needs ("…:00.250Z", "…:00.000125Z").
std::string utc_iso8601(double unix_s) {
  // Beyond any calendar gmtime keeps (a forecast far past a wild input).
  if (!(std::fabs(unix_s) <= 1e15)) return std::to_string(unix_s);
  const int64_t micros = std::llround(unix_s * 1e6);
  int64_t whole = micros / 1'000'000;
  int64_t frac = micros % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    --whole;
  }
  const std::time_t t = static_cast<std::time_t>(whole);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (frac % 1000 == 0 && frac != 0)
    n += std::snprintf(buf + n, sizeof buf - n, ".%03lld", static_cast<long long>(frac / 1000));
  else if (frac != 0)
    n += std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(frac));
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}

// The forecaster's periods (a day, a week) are counted in whole-second
// steps; a step that is not a whole number of seconds has none.
int64_t whole_seconds(double step) {
  const double rounded = std::round(step);
  return rounded >= 1 && rounded == step ? static_cast<int64_t>(rounded) : 0;
}

int run(std::istream& in, std::ostream& out, int horizon, const double* limit, std::ostream* note,
        std::ostream& err, const std::string& source_name, const ForecastCsvLayout& layout = {}) {
  if (horizon < 1) {
    err << "forecast: horizon must be at least 1 (got " << horizon << ")\n";
    return 1;
  }
  RegularSeries series;
  std::vector<TimedValue> rows;
  try {
    rows = read_timed_values(in, source_name, &err);
  } catch (const ForecastInputError& e) {
    err << e.what() << "\n";  // names the file and line
    return 1;
  }
  if (rows.empty()) {
    err << source_name << ": no data rows\n";
    return 1;
  }
  try {
    series = to_regular(rows);
  } catch (const ForecastInputError& e) {
    err << source_name << ": " << e.what() << "\n";  // about the whole series
    return 1;
  }
  // Rows sharing a time were averaged into one value: count times, not rows.
  const auto values = std::count_if(series.values.begin(), series.values.end(),
                                    [](double v) { return std::isfinite(v); });
  if (values < kMinForecastValues) {
    err << source_name << ": " << values << (values == 1 ? " value" : " values")
        << " at distinct times; a forecast needs at least " << kMinForecastValues
        << " (a level, a trend and their spread)\n";
    return 1;
  }
  ForecastOptions opt;
  opt.horizon = horizon;
  opt.step_seconds = whole_seconds(series.step);
  const Forecast f = forecast_series(series.values, opt);
  if (f.low_confidence) err << source_name << ": low confidence: " << f.note << "\n";
  std::string text;
  text.reserve(static_cast<size_t>(horizon) * 64);
  char line[160];
  if (layout.header)
    text += layout.timestamps ? "time point lo80 hi80 lo95 hi95\n" : "point lo80 hi80 lo95 hi95\n";
  // Step h (0-based) lies h + 1 steps after the last input slot.
  const double last_slot =
      series.start + static_cast<double>(series.values.size() - 1) * series.step;
  for (int h = 0; h < horizon; ++h) {
    if (layout.timestamps) text += utc_iso8601(last_slot + (h + 1) * series.step) + " ";
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
    // Counted in steps, then in seconds: the step may be a fraction of one.
    const Exhaustion steps = capacity_exhaustion(f, *limit, 1, rising);
    auto seconds = [&](std::optional<int64_t> n) -> std::optional<int64_t> {
      if (!n) return std::nullopt;
      return std::llround(static_cast<double>(*n) * series.step);
    };
    const Exhaustion e{seconds(steps.expected_s), seconds(steps.earliest_s)};
    std::snprintf(line, sizeof line, "%.9g", *limit);
    *note << "limit " << line;
    if (f.low_confidence) {
      // No single date from a handful of values: the range the 95 % bounds give.
      const Exhaustion latest{std::nullopt, std::nullopt, seconds(steps.latest_s)};
      const std::string within = format_duration(std::llround(horizon * series.step));
      *note << ", low-confidence forecast: "
            << (e.expected_s ? "reached in " + format_duration(*e.expected_s)
                             : "not reached by the forecast within " + within)
            << "; 95 % bounds: "
            << (e.earliest_s ? "as early as " + format_duration(*e.earliest_s)
                             : "not even the earliest within " + within)
            << (latest.latest_s ? ", as late as " + format_duration(*latest.latest_s)
                                : ", or not within " + within)
            << "\n";
      return out ? 0 : 1;
    }
    if (e.expected_s) {
      *note << " reached in " << format_duration(*e.expected_s);
      if (e.earliest_s && *e.earliest_s < *e.expected_s)
        *note << " (95 % bound: " << format_duration(*e.earliest_s) << ")";
    } else if (e.earliest_s) {
      *note << " not reached by the forecast; 95 % bound reaches it in "
            << format_duration(*e.earliest_s);
    } else {
      *note << " not reached within " << format_duration(std::llround(horizon * series.step));
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
