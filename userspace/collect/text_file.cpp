#include "collect/text_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

namespace kpulse::collect {

bool read_file(const std::string& path, std::string& out) {
  out.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  // procfs files report size 0, so grow a buffer instead of trusting fstat.
  size_t used = 0;
  if (out.capacity() < 4096) out.reserve(4096);
  bool ok = true;
  for (;;) {
    // Grow geometrically so large files (diskstats with many devices) stay linear.
    if (out.size() < used + 4096) out.resize(std::max(used + 4096, 2 * out.size()));
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;  // e.g. ENODEV: the cgroup went away between open and read
      break;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(ok ? used : 0);
  return ok;
}

std::optional<std::string> read_file(const std::string& path) {
  std::string s;
  if (!read_file(path, s)) return std::nullopt;
  return s;
}

std::optional<std::string> read_first_line(const std::string& path) {
  auto s = read_file(path);
  if (!s) return std::nullopt;
  auto nl = s->find('\n');
  if (nl != std::string::npos) s->resize(nl);
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

template <typename T>
static std::optional<T> parse_whole(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  return parse_whole<uint64_t>(s);
}
std::optional<int64_t> parse_i64(std::string_view s) {
  return parse_whole<int64_t>(s);
}
std::optional<double> parse_double(std::string_view s) {
  return parse_whole<double>(s);
}

std::optional<uint64_t> read_u64_file(const std::string& path) {
  std::string buf;
  if (!read_file(path, buf)) return std::nullopt;
  return parse_u64(buf);
}

void split_ws(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
}

bool LineReader::next(std::string_view& line) {
  if (rest_.empty()) return false;
  auto nl = rest_.find('\n');
  if (nl == std::string_view::npos) {
    line = rest_;
    rest_ = {};
  } else {
    line = rest_.substr(0, nl);
    rest_.remove_prefix(nl + 1);
  }
  ++line_no_;
  return true;
}

bool FieldReader::next() {
  std::string_view line;
  while (lines_.next(line)) {
    split_ws(line, fields_);
    if (!fields_.empty()) return true;
  }
  return false;
}

std::string join_path(std::string_view root, std::string_view rel) {
  std::string out(root);
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (rel.empty() || rel == "/") return out.empty() ? "/" : out;
  if (rel.front() != '/') out += '/';
  out += rel;
  return out;
}

}  // namespace kpulse::collect
