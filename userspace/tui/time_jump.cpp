#include "tui/time_jump.h"

#include <cstdio>
#include <stdexcept>

namespace kpulse::tui {
namespace {

constexpr int64_t kNsPerS = 1'000'000'000;

// "13:05" or "13:05:30" -> seconds into the day.
std::optional<int64_t> clock_time(const std::string& text) {
  int h = 0, m = 0, s = 0, used = 0;
  if (std::sscanf(text.c_str(), "%2d:%2d:%2d%n", &h, &m, &s, &used) == 3 &&
      used == int(text.size())) {
  } else if (std::sscanf(text.c_str(), "%2d:%2d%n", &h, &m, &used) == 2 &&
             used == int(text.size())) {
    s = 0;
  } else {
    return std::nullopt;
  }
  if (h > 23 || m > 59 || s > 59 || h < 0 || m < 0 || s < 0) return std::nullopt;
  return h * 3600LL + m * 60LL + s;
}

}  // namespace

std::optional<int64_t> resolve_goto(const std::string& text, int64_t shown_ns,
                                    const TimeParser& parse, std::string& error) {
  try {
    if (auto t = clock_time(text)) {
      const int64_t day_s = (shown_ns / kNsPerS) - (shown_ns / kNsPerS) % 86400;
      return (day_s + *t) * kNsPerS;
    }
    if (!text.empty() && text[0] == '+') {
      // The parser knows offsets back in time only: mirror one.
      const int64_t back = parse("-" + text.substr(1), shown_ns);
      return shown_ns + (shown_ns - back);
    }
    return parse(text, shown_ns);
  } catch (const std::exception& e) {
    error = e.what();
    return std::nullopt;
  }
}

}  // namespace kpulse::tui
