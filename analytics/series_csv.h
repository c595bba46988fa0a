// Reader for single-metric series files (`timestamp,value` CSV), the format
// of NAB and of `kpulse analyze --series`. Shared by the anomaly detector and
// the forecaster so both accept exactly the same files.
#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace kpulse::analytics {

struct SeriesRow {
  std::string timestamp_text;  // exactly as written in the file, for echoing back
  double t_unix;               // seconds since the epoch, UTC
  double value;
};

// A CSV field without the spaces, tabs (and a line's trailing '\r') around it.
std::string_view trim_csv_field(std::string_view s);

// Longest line a series CSV may have. A real row is a timestamp and a value;
// the bound keeps a file without newlines (/dev/zero, a binary) from growing
// one line until memory runs out.
inline constexpr size_t kMaxCsvLineBytes = 4096;

enum class CsvLine { Read, End, TooLong };

// std::getline with the bound: reads the next line into `line` (without its
// '\n'). TooLong leaves the rest of that line unread.
CsvLine read_csv_line(std::istream& in, std::string& line);

// Largest magnitude of a value the detector and the forecaster accept. No
// real metric comes near it (a 64-bit counter tops out at 1.8e19), and it
// keeps their arithmetic finite: differences, sums and sums of squares over
// millions of samples of values up to 1e100 stay far below the double range
// (1.8e308), where a series alternating +-1e308 overflows at its first step.
inline constexpr double kMaxSeriesMagnitude = 1e100;

// Parses a value: a decimal or scientific number whose magnitude is at most
// kMaxSeriesMagnitude. "nan", "inf" and larger values are rejected (false,
// with a reason): a missing sample is a missing row, not a NaN. The anomaly
// detector and the forecaster read values only through this function, so
// they accept exactly the same ones.
bool parse_series_value(std::string_view text, double& value, std::string& reason);

// Largest magnitude of a timestamp, in seconds: about 31 million years
// either side of 1970, far beyond any real series (even one in
// milliseconds read as seconds), and small enough that differences of
// timestamps in microseconds stay exact in 64 bits.
inline constexpr double kMaxSeriesTimestamp = 1e15;

// Parses a timestamp: unix seconds (integer or decimal, fractions kept) or
// `YYYY-MM-DD HH:MM:SS[.frac]` (also with 'T' instead of the space), taken as UTC.
// Returns false, with a reason, if the text is neither or lies beyond
// kMaxSeriesTimestamp.
bool parse_series_timestamp(std::string_view text, double& t_unix, std::string& reason);

// Splits a data line (trimmed, not empty) into its timestamp and value
// fields, each trimmed. Returns false, with a reason, unless the line has
// exactly two comma-separated fields. With parse_series_timestamp and
// parse_series_value, this is how every series reader reads a row.
bool split_series_row(std::string_view line, std::string_view& timestamp, std::string_view& value,
                      std::string& reason);

// Reads a whole series. The first non-empty line must be the header
// `timestamp,value`; blank lines are skipped. Any other malformed line throws
// std::runtime_error("<source_name>:<line>: <reason>"), so nothing is silently dropped.
std::vector<SeriesRow> read_series_csv(std::istream& in, const std::string& source_name);

// Streaming form of the same reader, for inputs too long to hold: reads one
// data row per call and returns false at end of input.
class SeriesCsvReader {
 public:
  SeriesCsvReader(std::istream& in, std::string source_name);
  bool next(SeriesRow& row);
  long line_number() const { return line_no_; }

 private:
  [[noreturn]] void fail(const std::string& reason) const;

  std::istream& in_;
  std::string source_name_;
  long line_no_ = 0;
  bool header_seen_ = false;
};

}  // namespace kpulse::analytics
