#include "record/stack_log.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "record/private_dir.h"

namespace kpulse::record {
namespace {

constexpr int64_t kHourNs = 3'600'000'000'000;
constexpr int64_t kDayNs = 24 * kHourNs;
constexpr const char* kSuffix = ".stacks";

// Names keep the line parseable: no field or frame separators inside.
std::string clean(std::string_view s) {
  std::string out(s.empty() ? "?" : s);
  for (char& c : out)
    if (c == '\t' || c == '\n' || c == ';' || c == '`') c = '_';
  return out;
}

std::string day_name(int64_t day) {
  const time_t t = static_cast<time_t>(day * (kDayNs / 1'000'000'000));
  struct tm tm {};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

// The UTC day a "YYYY-MM-DD.stacks" name stands for; nullopt for other files.
std::optional<int64_t> day_of_name(const std::string& name) {
  if (name.size() != 10 + std::strlen(kSuffix) || !name.ends_with(kSuffix)) return std::nullopt;
  struct tm tm {};
  if (!strptime(name.c_str(), "%Y-%m-%d", &tm)) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) / (kDayNs / 1'000'000'000);
}

std::string frames_text(const profile::StackSample& s) {
  std::string out;
  for (const auto& f : s.frames) {
    if (!out.empty()) out.push_back(';');
    out.push_back(f.kernel ? 'k' : 'u');
    out += clean(f.module);
    out.push_back('`');
    out += clean(f.function);
  }
  return out;
}

std::vector<profile::Frame> parse_frames(std::string_view text) {
  std::vector<profile::Frame> frames;
  while (!text.empty()) {
    const size_t end = std::min(text.find(';'), text.size());
    const std::string_view f = text.substr(0, end);
    const size_t tick = f.find('`');
    if (f.size() < 2 || tick == std::string_view::npos || (f[0] != 'k' && f[0] != 'u'))
      throw std::invalid_argument("frame");
    frames.push_back(
        {std::string(f.substr(tick + 1)), std::string(f.substr(1, tick - 1)), f[0] == 'k'});
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  return frames;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i)
    if (i == line.size() || line[i] == '\t') {
      out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

template <typename T>
T number(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) throw std::invalid_argument("number");
  return v;
}

// Lines are appended as windows close, so end times rise through a file; a
// clock stepped back breaks that only locally. The reader starts at the
// first line ending after from - kOrderSlackNs (a binary search over byte
// offsets) and stops at a line starting after to + kOrderSlackNs: a minute
// of a day's log costs that minute and the slack, not the day.
constexpr int64_t kOrderSlackNs = 5LL * 60 * 1'000'000'000;
constexpr std::streamoff kLinearScanBytes = 16 << 10;

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return b < 0 ? INT64_MIN : INT64_MAX;
  return sum;
}

// The end time of the first whole, readable line after `offset`.
std::optional<int64_t> end_after(std::ifstream& in, std::streamoff offset) {
  in.clear();
  in.seekg(offset);
  std::string line;
  if (offset > 0) std::getline(in, line);  // the rest of the line `offset` is in
  while (std::getline(in, line)) {
    const auto f = split_tabs(line);
    try {
      if (f.size() >= 3) return number<int64_t>(f[2]);
    } catch (const std::invalid_argument&) {
    }
  }
  return std::nullopt;
}

// An offset from which reading (its partial line skipped) misses no line
// ending at or after `ns`.
std::streamoff offset_before(std::ifstream& in, int64_t ns) {
  in.seekg(0, std::ios::end);
  std::streamoff lo = 0, hi = in.tellg();
  while (hi - lo > kLinearScanBytes) {
    const std::streamoff mid = lo + (hi - lo) / 2;
    const auto end = end_after(in, mid);
    if (end && *end < ns)
      lo = mid;
    else
      hi = mid;
  }
  in.clear();
  return lo;
}

}  // namespace

std::string stack_log_lines(int64_t start_ns, int64_t end_ns, const profile::Profile& window,
                            size_t top_stacks) {
  std::map<std::string, uint64_t> per_cgroup;
  for (const auto& s : window.samples) per_cgroup[clean(s.cgroup)] += s.count;
  std::vector<const profile::StackSample*> busiest;
  busiest.reserve(window.samples.size());
  for (const auto& s : window.samples) busiest.push_back(&s);
  const size_t kept = std::min(top_stacks, busiest.size());
  std::partial_sort(busiest.begin(), busiest.begin() + static_cast<std::ptrdiff_t>(kept),
                    busiest.end(),
                    [](const auto* a, const auto* b) { return a->count > b->count; });
  std::string out;
  for (const auto& [cgroup, samples] : per_cgroup)
    out += fmt::format("C\t{}\t{}\t{}\t{}\n", start_ns, end_ns, cgroup, samples);
  for (size_t i = 0; i < kept; ++i) {
    const auto& s = *busiest[i];
    out += fmt::format("S\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", start_ns, end_ns, clean(s.cgroup), s.pid,
                       clean(s.comm), s.count, frames_text(s));
  }
  return out;
}

StackLogWriter::StackLogWriter(StackLogOptions options) : opt_(std::move(options)) {}

bool StackLogWriter::append(int64_t start_ns, int64_t end_ns, const profile::Profile& window) {
  if (window.samples.empty()) return true;
  const std::string text = stack_log_lines(start_ns, end_ns, window, opt_.top_stacks);
  if (end_ns / kHourNs != hour_) {
    hour_ = end_ns / kHourNs;
    hour_bytes_ = 0;
  }
  if (hour_bytes_ + text.size() > opt_.max_bytes_per_hour) {
    ++windows_dropped_;
    return false;
  }
  const std::filesystem::path dir = opt_.dir / "stacks";
  ensure_private_dir(dir);
  const int64_t day = end_ns / kDayNs;
  const std::filesystem::path path = dir / (day_name(day) + kSuffix);
  std::string error;
  const int fd = open_private_file(path, error);
  if (fd < 0) throw std::runtime_error(error);
  // A line torn by a crash is ended first: it must not swallow the next one.
  std::string data;
  const off_t size = ::lseek(fd, 0, SEEK_END);
  char last = '\n';
  if (size > 0 && ::pread(fd, &last, 1, size - 1) == 1 && last != '\n') data.push_back('\n');
  data += text;
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error(fmt::format("{}: {}", path.string(), std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  hour_bytes_ += data.size();
  bytes_written_ += data.size();
  if (day != pruned_day_) remove_old_days(day);
  return true;
}

void StackLogWriter::remove_old_days(int64_t day) {
  pruned_day_ = day;
  if (opt_.keep_days <= 0) return;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(opt_.dir / "stacks", ec)) {
    auto d = day_of_name(e.path().filename().string());
    if (d && *d <= day - opt_.keep_days) std::filesystem::remove(e.path(), ec);
  }
}

RecordedProfile read_stack_log(const std::filesystem::path& recording_dir, int64_t from_ns,
                               int64_t to_ns) {
  RecordedProfile out;
  std::map<std::string, profile::StackSample> stacks;
  std::set<std::pair<int64_t, int64_t>> windows;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(recording_dir / "stacks", ec)) {
    auto d = day_of_name(e.path().filename().string());
    // A window ends on its file's day and lasts less than a day.
    if (d && *d >= from_ns / kDayNs && *d <= to_ns / kDayNs + 1) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    const std::streamoff first = offset_before(in, saturating_add(from_ns, -kOrderSlackNs));
    in.seekg(first);
    if (first > 0) std::getline(in, line);
    while (std::getline(in, line)) {
      try {
        const auto f = split_tabs(line);
        if (f.size() < 3) throw std::invalid_argument("fields");
        const auto start = number<int64_t>(f[1]);
        const auto end = number<int64_t>(f[2]);
        if (start > saturating_add(to_ns, kOrderSlackNs)) break;
        if (f[0] == "C" && f.size() == 5) {
          const auto samples = number<uint64_t>(f[4]);
          if (end < from_ns || start > to_ns) continue;
          out.cgroup_samples[std::string(f[3])] += samples;
          windows.emplace(start, end);
        } else if (f[0] == "S" && f.size() == 8) {
          profile::StackSample s;
          s.cgroup = f[3];
          s.pid = number<uint32_t>(f[4]);
          s.comm = f[5];
          s.count = number<uint64_t>(f[6]);
          s.frames = parse_frames(f[7]);
          if (end < from_ns || start > to_ns) continue;
          auto [it, inserted] =
              stacks.try_emplace(std::string(f[3]) + '\t' + std::string(f[4]) + '\t' +
                                     std::string(f[5]) + '\t' + std::string(f[7]),
                                 s);
          if (!inserted) it->second.count += s.count;
        } else {
          throw std::invalid_argument("record");
        }
      } catch (const std::invalid_argument&) {
        ++out.bad_lines;
      }
    }
  }
  out.windows = windows.size();
  out.profile.samples.reserve(stacks.size());
  for (auto& [_, s] : stacks) out.profile.samples.push_back(std::move(s));
  return out;
}

}  // namespace kpulse::record
