#include "analytics/series_csv.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "model/markup.h"

namespace kpulse::analytics {
namespace {

// A field as an error message quotes it: a stray NUL or escape in the file
// must neither cut the message short nor reach the terminal.
std::string quoted(std::string_view field) {
  return "'" + model::printable(std::string(field)) + "'";
}

// Whether the whole text is a number; `too_large` says it is one whose
// magnitude a double cannot hold (e.g. 1e400).
bool parse_double(std::string_view text, double& out, bool* too_large = nullptr) {
  if (text.empty()) return false;
  // from_chars rejects a leading '+', which some exporters write.
  if (text.front() == '+') text.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  const bool whole = ptr == text.data() + text.size();
  if (whole && ec == std::errc::result_out_of_range) {
    // Too small (1e-400) reads as 0 or a denormal; too large is reported.
    out = std::strtod(std::string(text).c_str(), nullptr);
    if (!std::isinf(out)) return true;
    if (too_large) *too_large = true;
    return false;
  }
  return whole && ec == std::errc();
}

bool parse_digits(std::string_view text, size_t pos, size_t n, int& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool parse_calendar(std::string_view text, double& t_unix, std::string& reason) {
  // Fixed layout YYYY-MM-DD?HH:MM:SS, then optional .frac and optional Z.
  int year, month, day, hour, minute, second;
  if (text.size() < 19 || !parse_digits(text, 0, 4, year) || text[4] != '-' ||
      !parse_digits(text, 5, 2, month) || text[7] != '-' || !parse_digits(text, 8, 2, day) ||
      (text[10] != ' ' && text[10] != 'T') || !parse_digits(text, 11, 2, hour) || text[13] != ':' ||
      !parse_digits(text, 14, 2, minute) || text[16] != ':' || !parse_digits(text, 17, 2, second)) {
    reason = "timestamp " + quoted(text) + " is neither unix seconds nor YYYY-MM-DD HH:MM:SS";
    return false;
  }
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
  double frac = 0;
  if (!rest.empty()) {
    bool ok = rest.size() > 1 && rest[0] == '.';
    for (size_t i = 1; ok && i < rest.size(); ++i) ok = rest[i] >= '0' && rest[i] <= '9';
    if (!ok || !parse_double(std::string("0") + std::string(rest), frac)) {
      reason = "timestamp " + quoted(text) + " has trailing text after the seconds";
      return false;
    }
  }
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                     std::chrono::day{unsigned(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) {
    reason = "timestamp " + quoted(text) + " is not a valid date and time";
    return false;
  }
  double days = sys_days{ymd}.time_since_epoch().count();
  t_unix = days * 86400.0 + hour * 3600.0 + minute * 60.0 + second + frac;
  return true;
}

}  // namespace

std::string_view trim_csv_field(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

CsvLine read_csv_line(std::istream& in, std::string& line) {
  line.clear();
  std::streambuf* buf = in.rdbuf();
  if (!in.good() || buf == nullptr) return CsvLine::End;
  for (;;) {
    const int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      return line.empty() ? CsvLine::End : CsvLine::Read;
    }
    if (c == '\n') return CsvLine::Read;
    if (line.size() == kMaxCsvLineBytes) return CsvLine::TooLong;
    line.push_back(static_cast<char>(c));
  }
}

bool parse_series_value(std::string_view text, double& value, std::string& reason) {
  text = trim_csv_field(text);
  bool too_large = false;
  if (!parse_double(text, value, &too_large) && !too_large) {
    reason = "value " + quoted(text) + " is not a number";
    return false;
  }
  if (!too_large && !std::isfinite(value)) {
    reason = "value " + quoted(text) + " is not finite (a missing sample is a missing row)";
    return false;
  }
  if (too_large || std::fabs(value) > kMaxSeriesMagnitude) {
    reason = "value " + quoted(text) + " is beyond +-1e100, the largest magnitude analysed";
    return false;
  }
  return true;
}

bool parse_series_timestamp(std::string_view text, double& t_unix, std::string& reason) {
  text = trim_csv_field(text);
  if (text.empty()) {
    reason = "empty timestamp";
    return false;
  }
  // A calendar timestamp always has '-' at position 4; unix seconds never do.
  if (text.size() >= 5 && text[4] == '-') return parse_calendar(text, t_unix, reason);
  bool too_large = false;
  const bool number = parse_double(text, t_unix, &too_large);
  if (!too_large && (!number || !std::isfinite(t_unix))) {
    reason = "timestamp " + quoted(text) + " is neither unix seconds nor YYYY-MM-DD HH:MM:SS";
    return false;
  }
  if (too_large || std::fabs(t_unix) > kMaxSeriesTimestamp) {
    reason = "timestamp " + quoted(text) + " is beyond +-1e15 s, the widest range read";
    return false;
  }
  return true;
}

bool split_series_row(std::string_view line, std::string_view& timestamp, std::string_view& value,
                      std::string& reason) {
  const size_t comma = line.find(',');
  if (comma == std::string_view::npos) {
    reason = "expected 2 comma-separated fields, found 1";
    return false;
  }
  if (line.find(',', comma + 1) != std::string_view::npos) {
    reason = "expected 2 comma-separated fields, found more";
    return false;
  }
  timestamp = trim_csv_field(line.substr(0, comma));
  value = trim_csv_field(line.substr(comma + 1));
  return true;
}

SeriesCsvReader::SeriesCsvReader(std::istream& in, std::string source_name)
    : in_(in), source_name_(std::move(source_name)) {}

void SeriesCsvReader::fail(const std::string& reason) const {
  throw std::runtime_error(source_name_ + ":" + std::to_string(line_no_) + ": " + reason);
}

bool SeriesCsvReader::next(SeriesRow& row) {
  std::string line;
  for (CsvLine got; (got = read_csv_line(in_, line)) != CsvLine::End;) {
    ++line_no_;
    if (got == CsvLine::TooLong)
      fail("line longer than " + std::to_string(kMaxCsvLineBytes) + " bytes (not a series CSV?)");
    std::string_view text = trim_csv_field(line);
    if (line_no_ == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
    if (text.empty()) continue;
    std::string_view ts, val;
    std::string reason;
    if (!split_series_row(text, ts, val, reason)) {
      if (!header_seen_ && text.find(',') == std::string_view::npos)
        fail("expected header 'timestamp,value', found " + quoted(text));
      fail(reason);
    }
    if (!header_seen_) {
      if (ts != "timestamp" || val != "value")
        fail("expected header 'timestamp,value', found " + quoted(text));
      header_seen_ = true;
      continue;
    }
    if (!parse_series_timestamp(ts, row.t_unix, reason)) fail(reason);
    if (!parse_series_value(val, row.value, reason)) fail(reason);
    row.timestamp_text.assign(ts);
    return true;
  }
  if (in_.bad()) fail("read error");
  if (!header_seen_) {
    ++line_no_;
    fail("empty input: expected header 'timestamp,value'");
  }
  return false;
}

std::vector<SeriesRow> read_series_csv(std::istream& in, const std::string& source_name) {
  SeriesCsvReader reader(in, source_name);
  std::vector<SeriesRow> rows;
  SeriesRow row;
  while (reader.next(row)) rows.push_back(row);
  return rows;
}

}  // namespace kpulse::analytics
