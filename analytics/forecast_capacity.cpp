#include "analytics/forecast_capacity.h"

#include <cmath>
#include <cstdio>

namespace kpulse::analytics {

std::optional<int> first_crossing(std::span<const double> path, double limit, bool rising) {
  for (size_t i = 0; i < path.size(); ++i)
    if (rising ? path[i] >= limit : path[i] <= limit) return static_cast<int>(i);
  return std::nullopt;
}

Exhaustion capacity_exhaustion(const Forecast& f, double limit, int64_t step_seconds, bool rising) {
  Exhaustion e;
  auto to_seconds = [&](std::optional<int> h) -> std::optional<int64_t> {
    if (!h) return std::nullopt;
    return (static_cast<int64_t>(*h) + 1) * step_seconds;
  };
  e.expected_s = to_seconds(first_crossing(f.point, limit, rising));
  e.earliest_s = to_seconds(first_crossing(rising ? f.hi95 : f.lo95, limit, rising));
  e.latest_s = to_seconds(first_crossing(rising ? f.lo95 : f.hi95, limit, rising));
  return e;
}

std::string format_duration(int64_t s) {
  if (s < 0) return "-" + format_duration(-s);
  struct Unit {
    int64_t seconds;
    const char* name;
  };
  static const Unit units[] = {{86400, "d"}, {3600, "h"}, {60, "min"}, {1, "s"}};
  for (size_t i = 0; i < 4; ++i) {
    if (s < units[i].seconds && i < 3) continue;
    const int64_t major = s / units[i].seconds;
    std::string out = std::to_string(major) + " " + units[i].name;
    if (i < 3) {
      const int64_t minor = (s % units[i].seconds) / units[i + 1].seconds;
      if (minor) out += " " + std::to_string(minor) + " " + units[i + 1].name;
    }
    return out;
  }
  return "0 s";
}

}  // namespace kpulse::analytics
