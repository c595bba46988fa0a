// Capacity exhaustion: when a forecast first reaches a limit ("disk full in
// 3 d 4 h").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "analytics/forecast.h"
#include "model/metric_catalog.h"

namespace kpulse::analytics {

// Index of the first value of `path` at or beyond `limit` (>= when `rising`,
// <= otherwise), or nullopt.
std::optional<int> first_crossing(std::span<const double> path, double limit, bool rising = true);

struct Exhaustion {
  // Seconds from the end of the history until the point forecast / the upper
  // 95 % bound (lower bound when falling) first reaches the limit; nullopt
  // when it doesn't within the horizon.
  std::optional<int64_t> expected_s;
  std::optional<int64_t> earliest_s;
  // And the other 95 % bound (lower when rising): the latest the limit is
  // reached with 97.5 % confidence; nullopt when not within the horizon.
  std::optional<int64_t> latest_s;
};

// Forecast step h covers the interval ending (h + 1) steps after the history,
// so a crossing at h is reported as (h + 1) * step_seconds.
Exhaustion capacity_exhaustion(const Forecast& f, double limit, int64_t step_seconds,
                               bool rising = true);

// "3 d 4 h", "5 h 20 min", "45 s": the two largest units.
std::string format_duration(int64_t seconds);

}  // namespace kpulse::analytics
