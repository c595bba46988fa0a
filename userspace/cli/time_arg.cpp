#include "cli/time_arg.h"

#include <charconv>
#include <cmath>
#include <ctime>
#include <stdexcept>

#include <fmt/format.h>

namespace kpulse::cli {
namespace {

constexpr int64_t kSec = 1'000'000'000;

[[noreturn]] void bad(std::string_view text) {
  throw std::invalid_argument(
      fmt::format("invalid time '{}': use Unix seconds, UTC ISO 8601 (2026-11-24T12:00:00Z), "
                  "or relative (-2h, -30m, -7d, -90s, now)",
                  text));
}

}  // namespace

int64_t parse_time_arg(std::string_view text, int64_t now_ns) {
  if (text == "now") return now_ns;
  if (text.size() >= 3 && text[0] == '-') {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data() + 1, text.data() + text.size() - 1, n);
    if (ec != std::errc() || p != text.data() + text.size() - 1 || n < 0) bad(text);
    int64_t unit = 0;
    switch (text.back()) {
      case 's':
        unit = kSec;
        break;
      case 'm':
        unit = 60 * kSec;
        break;
      case 'h':
        unit = 3600 * kSec;
        break;
      case 'd':
        unit = 86400 * kSec;
        break;
      default:
        bad(text);
    }
    return now_ns - n * unit;
  }
  // Unix seconds with an optional fraction, parsed as integers so that
  // nanoseconds survive (a double has only ~16 significant digits).
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string_view::npos) {
    const auto dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    std::string frac(dot == std::string_view::npos ? "" : text.substr(dot + 1));
    int64_t secs = 0, ns = 0;
    auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), secs);
    if (ec != std::errc() || p != whole.data() + whole.size() || frac.size() > 9 ||
        frac.find('.') != std::string::npos)
      bad(text);
    frac.resize(9, '0');
    std::from_chars(frac.data(), frac.data() + 9, ns);
    return secs * kSec + ns;
  }
  std::tm tm{};
  std::string s(text);
  if (!s.empty() && s.back() == 'Z') s.pop_back();
  for (char& c : s)
    if (c == 'T') c = ' ';
  double frac = 0;
  const char* rest = strptime(s.c_str(), "%Y-%m-%d", &tm);
  if (!rest) bad(text);
  if (*rest == ' ') {
    const char* t = strptime(rest + 1, "%H:%M", &tm);
    if (!t) bad(text);
    rest = t;
    if (*rest == ':') {
      char* end = nullptr;
      double sec = std::strtod(rest + 1, &end);
      if (end == rest + 1 || sec < 0 || sec >= 61) bad(text);
      tm.tm_sec = static_cast<int>(sec);
      frac = sec - tm.tm_sec;
      rest = end;
    }
  }
  if (*rest != '\0') bad(text);
  return static_cast<int64_t>(timegm(&tm)) * kSec + static_cast<int64_t>(std::llround(frac * 1e9));
}

}  // namespace kpulse::cli
