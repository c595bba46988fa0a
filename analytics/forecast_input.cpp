#include "analytics/forecast_input.h"

#include "analytics/series_csv.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

namespace kpulse::analytics {
namespace {

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

bool equals_lower(std::string_view text, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names)
    if (text.size() == n.size() &&
        std::equal(text.begin(), text.end(), n.begin(),
                   [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }))
      return true;
  return false;
}
bool names_time(std::string_view column) {
  return equals_lower(column, {"timestamp", "time", "ts", "date", "datetime"});
}
bool names_value(std::string_view column) {
  return equals_lower(column, {"value", "val", "y"});
}

}  // namespace

std::vector<TimedValue> read_timed_values(std::istream& in, const std::string& source_name,
                                          std::ostream* warn) {
  std::vector<TimedValue> rows;
  std::string line;
  size_t line_no = 0;
  bool seen_content = false;
  bool stepped_back = false;
  auto fail = [&](const std::string& why) {
    throw ForecastInputError(source_name + ":" + std::to_string(line_no) + ": " + why);
  };
  for (CsvLine got; (got = read_csv_line(in, line)) != CsvLine::End;) {
    ++line_no;
    if (got == CsvLine::TooLong)
      fail("line longer than " + std::to_string(kMaxCsvLineBytes) + " bytes (not a series CSV?)");
    std::string_view s = trim_csv_field(line);
    if (s.empty()) continue;
    const size_t comma = s.find(',');
    if (comma == std::string_view::npos) fail("expected 'timestamp,value', got '" + line + "'");
    std::string_view ts = trim_csv_field(s.substr(0, comma));
    std::string_view vs = trim_csv_field(s.substr(comma + 1));
    if (vs.find(',') != std::string_view::npos) fail("more than two columns");
    TimedValue row;
    const bool ts_ok = parse_timestamp(ts, row.t);
    std::string reason;
    const bool value_ok = parse_series_value(vs, row.value, reason);
    if (!seen_content && !ts_ok && !vs.empty() && !value_ok) {
      seen_content = true;  // the header
      // Columns the other way round would be read as values in 1970 and
      // timestamps as values, without a word.
      if (names_time(vs) || names_value(ts))
        fail("header '" + std::string(s) + "': the columns are timestamp,value, in that order");
      continue;
    }
    seen_content = true;
    if (!ts_ok) fail("bad timestamp '" + std::string(ts) + "'");
    if (!value_ok) fail(reason);
    // A clock step (DST, NTP) or a repeated row: real series have them. The
    // grid places each row by its time (rows sharing a slot are averaged).
    if (!rows.empty() && row.t <= rows.back().t && !stepped_back) {
      stepped_back = true;
      if (warn)
        *warn << source_name << ":" << line_no << ": warning: timestamp " << row.t
              << (row.t == rows.back().t ? " repeats the previous row's" : " steps back from ")
              << (row.t == rows.back().t ? "" : std::to_string(rows.back().t))
              << "; each row is placed by its time (later ones are not reported)\n";
    }
    rows.push_back(row);
  }
  if (in.bad()) throw ForecastInputError(source_name + ": read error");
  return rows;
}

RegularSeries to_regular(const std::vector<TimedValue>& rows_in_file_order, size_t max_steps) {
  RegularSeries out;
  if (rows_in_file_order.empty()) return out;
  // In time order; a repeated time is no gap (it would pass for the step).
  std::vector<TimedValue> rows = rows_in_file_order;
  std::stable_sort(rows.begin(), rows.end(),
                   [](const TimedValue& a, const TimedValue& b) { return a.t < b.t; });
  out.start = rows.front().t;
  if (rows.size() == 1) {
    out.values.push_back(rows.front().value);
    return out;
  }
  std::map<int64_t, size_t> gaps;
  size_t n_gaps = 0;
  for (size_t i = 1; i < rows.size(); ++i)
    if (rows[i].t > rows[i - 1].t) {
      ++gaps[rows[i].t - rows[i - 1].t];
      ++n_gaps;
    }
  if (gaps.empty()) {  // every row at one time
    double sum = 0;
    for (const auto& r : rows) sum += r.value;
    out.values.push_back(sum / double(rows.size()));
    return out;
  }
  // The most common gap (ties go to the smaller one) when at least half the
  // gaps are exactly that; otherwise the timestamps jitter (59, 60, 61 s)
  // and the median gap, snapped to a usual sampling step, is the step.
  auto best = std::max_element(gaps.begin(), gaps.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  out.step = best->first;
  if (2 * best->second < n_gaps) {
    size_t seen = 0;
    for (const auto& [gap, count] : gaps) {
      seen += count;
      if (2 * seen >= n_gaps) {
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
    const size_t slot = static_cast<size_t>((r.t - out.start + out.step / 2) / out.step);
    out.values[slot] += r.value;
    ++count[slot];
  }
  for (size_t i = 0; i < n; ++i)
    out.values[i] = count[i] ? out.values[i] / count[i] : std::numeric_limits<double>::quiet_NaN();
  return out;
}

}  // namespace kpulse::analytics
