// Warms the analytics forecaster with recorded history, so an agent that
// restarts (or `kpulse analyze`/`kpulse top` started next to a running
// daemon) forecasts from weeks of past data instead of starting from zero.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "analytics/analyzer.h"

namespace kpulse::daemon {

struct PreloadResult {
  size_t snapshots = 0;               // fed to the analyzer
  int64_t first_ns = 0, last_ns = 0;  // time they span (0 when none)
  std::vector<std::string> warnings;  // skipped blocks and files, as the reader reports them
};

// Streams [now - lookback, now] from `dir` into analyzer.preload(), oldest
// first, one tier at a time: hourly buckets for the old part, minute buckets
// for the recent days and full resolution only for the last `full_s`
// seconds (the forecaster keeps no more than that at 1 s). Memory stays at
// one decoded block, whatever the recording's size. A missing or empty
// directory is not an error: the result says 0 snapshots.
PreloadResult preload_history(analytics::Analyzer& analyzer, const std::filesystem::path& dir,
                              int64_t now_ns, int64_t lookback_s = 60LL * 86400,
                              int64_t full_s = 900);

}  // namespace kpulse::daemon
