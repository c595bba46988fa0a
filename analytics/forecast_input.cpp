#include "analytics/forecast_input.h"

#include "analytics/series_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

namespace kpulse::analytics {
namespace {

bool parse_double(std::string_view s, double& out) {
  if (s == "nan" || s == "NaN" || s == "NAN") {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && p == end;
}

// Unix seconds or a calendar time, exactly as `kpulse analyze --series`
// reads them (parse_series_timestamp), rounded to whole seconds: the
// forecaster works on a grid of whole-second steps.
bool parse_timestamp(std::string_view s, int64_t& out) {
  double t = 0;
  std::string reason;
  if (!parse_series_timestamp(s, t, reason) || std::fabs(t) > 1e15) return false;
  out = static_cast<int64_t>(std::llround(t));
  return true;
}

}  // namespace

std::vector<TimedValue> read_timed_values(std::istream& in, const std::string& source_name) {
  std::vector<TimedValue> rows;
  std::string line;
  size_t line_no = 0;
  bool seen_content = false;
  auto fail = [&](const std::string& why) {
    throw ForecastInputError(source_name + ":" + std::to_string(line_no) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++line_no;
    std::string_view s = trim_csv_field(line);
    if (s.empty()) continue;
    const size_t comma = s.find(',');
    if (comma == std::string_view::npos) fail("expected 'timestamp,value', got '" + line + "'");
    std::string_view ts = trim_csv_field(s.substr(0, comma));
    std::string_view vs = trim_csv_field(s.substr(comma + 1));
    if (vs.find(',') != std::string_view::npos) fail("more than two columns");
    TimedValue row;
    const bool ts_ok = parse_timestamp(ts, row.t);
    if (!seen_content && !ts_ok && !vs.empty() && !parse_double(vs, row.value)) {
      seen_content = true;  // the header
      continue;
    }
    seen_content = true;
    if (!ts_ok) fail("bad timestamp '" + std::string(ts) + "'");
    if (!parse_double(vs, row.value) || std::isinf(row.value))
      fail("bad value '" + std::string(vs) + "'");
    if (!rows.empty() && row.t <= rows.back().t)
      fail("timestamp " + std::to_string(row.t) + " does not increase (previous " +
           std::to_string(rows.back().t) + ")");
    rows.push_back(row);
  }
  if (in.bad()) throw ForecastInputError(source_name + ": read error");
  return rows;
}

RegularSeries to_regular(const std::vector<TimedValue>& rows, size_t max_steps) {
  RegularSeries out;
  if (rows.empty()) return out;
  out.start = rows.front().t;
  if (rows.size() == 1) {
    out.values.push_back(rows.front().value);
    return out;
  }
  std::map<int64_t, size_t> gaps;
  for (size_t i = 1; i < rows.size(); ++i) ++gaps[rows[i].t - rows[i - 1].t];
  // The most common gap (ties go to the smaller one) when at least half the
  // gaps are exactly that; otherwise the timestamps jitter (59, 60, 61 s)
  // and the median gap, snapped to a usual sampling step, is the step.
  auto best = std::max_element(gaps.begin(), gaps.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  out.step = best->first;
  if (2 * best->second < rows.size() - 1) {
    size_t seen = 0;
    for (const auto& [gap, count] : gaps) {
      seen += count;
      if (2 * seen >= rows.size() - 1) {
        out.step = gap;
        break;
      }
    }
    static const int64_t kUsual[] = {1,   2,   5,   10,   15,   20,   30,   60,   120,
                                     300, 600, 900, 1200, 1800, 3600, 7200, 86400};
    for (int64_t u : kUsual)
      if (std::llabs(out.step - u) * 50 <= u) out.step = u;  // within 2 %
  }
  const int64_t span = rows.back().t - out.start;
  const size_t n = static_cast<size_t>((span + out.step / 2) / out.step) + 1;
  if (n > max_steps)
    throw ForecastInputError("series spans " + std::to_string(n) + " steps of " +
                             std::to_string(out.step) + " s, more than the limit of " +
                             std::to_string(max_steps));
  out.values.assign(n, 0.0);
  std::vector<uint32_t> count(n, 0);
  for (const auto& r : rows) {
    if (std::isnan(r.value)) continue;
    const size_t slot = static_cast<size_t>((r.t - out.start + out.step / 2) / out.step);
    out.values[slot] += r.value;
    ++count[slot];
  }
  for (size_t i = 0; i < n; ++i)
    out.values[i] = count[i] ? out.values[i] / count[i] : std::numeric_limits<double>::quiet_NaN();
  return out;
}

}  // namespace kpulse::analytics
