#include "analytics/forecast_input.h"

#include "analytics/series_csv.h"
#include "model/markup.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>

namespace kpulse::analytics {
namespace {

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

// "60", "0.001": a step in seconds as a person writes it.
std::string format_step(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", seconds);
  return buf;
}

// The grid is measured in microseconds: fine enough for any sampling step,
// and whole, so the most common gap is counted exactly.
constexpr double kMicros = 1e6;
// Widest span measured so: 9e18 us fits in 64 bits with room for rounding.
constexpr double kMaxSpanMicros = 9e18;

}  // namespace

std::vector<TimedValue> read_timed_values(std::istream& in, const std::string& source_name,
                                          std::ostream* warn) {
  std::vector<TimedValue> rows;
  std::string line;
  std::string last_text;
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
    std::string_view ts, vs;
    std::string reason;
    if (!split_series_row(s, ts, vs, reason)) fail(reason);
    TimedValue row;
    std::string ts_reason, value_reason;
    const bool ts_ok = parse_series_timestamp(ts, row.t, ts_reason);
    const bool value_ok = parse_series_value(vs, row.value, value_reason);
    if (!seen_content && !ts_ok && !vs.empty() && !value_ok) {
      seen_content = true;  // the header
      // Columns the other way round would be read as values in 1970 and
      // timestamps as values, without a word.
      if (names_time(vs) || names_value(ts))
        fail("header '" + model::printable(std::string(s)) +
             "': the columns are timestamp,value, in that order");
      continue;
    }
    seen_content = true;
    if (!ts_ok) fail(ts_reason);
    if (!value_ok) fail(value_reason);
    // A clock step (DST, NTP) or a repeated row: real series have them. The
    // grid places each row by its time (rows sharing a slot are averaged).
    if (!rows.empty() && row.t <= rows.back().t && !stepped_back) {
      stepped_back = true;
      if (warn)
        *warn << source_name << ":" << line_no << ": warning: timestamp '"
              << model::printable(std::string(ts))
              << (row.t == rows.back().t ? "' repeats" : "' steps back from")
              << " the previous row's '" << last_text
              << "'; each row is placed by its time (later ones are not reported)\n";
    }
    last_text = model::printable(std::string(ts));
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
  const double span_s = rows.back().t - out.start;
  if (span_s * kMicros > kMaxSpanMicros)
    throw ForecastInputError("timestamps span " + std::to_string(span_s) +
                             " s, more than any grid can hold");
  // Each row's time on the grid's clock: microseconds after the first.
  std::vector<int64_t> at(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) at[i] = std::llround((rows[i].t - out.start) * kMicros);
  std::map<int64_t, size_t> gaps;
  size_t n_gaps = 0;
  for (size_t i = 1; i < rows.size(); ++i)
    if (at[i] > at[i - 1]) {
      ++gaps[at[i] - at[i - 1]];
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
  int64_t step = best->first;
  if (2 * best->second < n_gaps) {
    size_t seen = 0;
    for (const auto& [gap, count] : gaps) {
      seen += count;
      if (2 * seen >= n_gaps) {
        step = gap;
        break;
      }
    }
    static const int64_t kUsualSeconds[] = {1,   2,   5,   10,   15,   20,   30,   60,   120,
                                            300, 600, 900, 1200, 1800, 3600, 7200, 86400};
    for (int64_t seconds : kUsualSeconds) {
      const int64_t u = seconds * 1'000'000;
      if (std::llabs(step - u) * 50 <= u) step = u;  // within 2 %
    }
  }
  out.step = static_cast<double>(step) / kMicros;
  const int64_t span = at.back();
  const uint64_t n = static_cast<uint64_t>((span + step / 2) / step) + 1;
  if (n > max_steps)
    throw ForecastInputError("series spans " + std::to_string(n) + " steps of " +
                             format_step(out.step) + " s, more than the limit of " +
                             std::to_string(max_steps));
  out.values.assign(n, 0.0);
  std::vector<uint32_t> count(n, 0);
  for (size_t i = 0; i < rows.size(); ++i) {
    const size_t slot = static_cast<size_t>((at[i] + step / 2) / step);
    out.values[slot] += rows[i].value;
    ++count[slot];
  }
  for (size_t i = 0; i < n; ++i)
    out.values[i] = count[i] ? out.values[i] / count[i] : std::numeric_limits<double>::quiet_NaN();
  return out;
}

}  // namespace kpulse::analytics
