// Small, allocation-light helpers for reading /proc, /sys and cgroupfs files.
//
// These files are re-read every interval for hundreds of objects, so reads go
// straight through open/read into a caller-owned buffer (no iostreams) and
// parsing works on string_views.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kpulse::collect {

// Reads the whole file into `out` (replacing its contents). Returns false when
// the file cannot be opened or read (missing file, cgroup removed mid-read,
// process exited): callers treat that as "no data", never as an error.
bool read_file(const std::string& path, std::string& out);
// Convenience form for cold paths.
std::optional<std::string> read_file(const std::string& path);

// The first line of a file without its newline, e.g. a sysfs attribute.
std::optional<std::string> read_first_line(const std::string& path);

// Parses an unsigned decimal integer occupying all of `s` (surrounding
// whitespace allowed).
std::optional<uint64_t> parse_u64(std::string_view s);
std::optional<int64_t> parse_i64(std::string_view s);
std::optional<double> parse_double(std::string_view s);
// A file holding one unsigned number ("123\n").
std::optional<uint64_t> read_u64_file(const std::string& path);

std::string_view trim(std::string_view s);

// Splits on runs of spaces/tabs; empty fields are dropped.
// Writes into `fields` (cleared first) to reuse its capacity.
void split_ws(std::string_view line, std::vector<std::string_view>& fields);

// Iterates over the lines of a buffer; the last line need not end in '\n'.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}
  // Returns false at the end. `line` excludes the newline; line_no() is 1-based.
  bool next(std::string_view& line);
  [[nodiscard]] int line_no() const { return line_no_; }

 private:
  std::string_view rest_;
  int line_no_ = 0;
};

// Iterates over the non-blank lines of a buffer split into whitespace
// fields (split_ws), the shape of most /proc tables.
class FieldReader {
 public:
  explicit FieldReader(std::string_view text) : lines_(text) {}
  // Returns false at the end; otherwise fields() holds the next non-blank
  // line's fields (valid until the next call).
  bool next();
  [[nodiscard]] const std::vector<std::string_view>& fields() const { return fields_; }
  [[nodiscard]] int line_no() const { return lines_.line_no(); }

 private:
  LineReader lines_;
  std::vector<std::string_view> fields_;
};

// Joins a root and a path that may or may not start with '/'.
std::string join_path(std::string_view root, std::string_view rel);

}  // namespace kpulse::collect
