// Warms a fresh Analyzer from a recording to where the live agent's was at a
// moment: replay, `report` and `analyze --recording` then show the alerts
// that were live at the shown time instead of starting every detector cold.
#pragma once

#include <cstdint>
#include <filesystem>

#include "analytics/analyzer.h"

namespace kpulse::cli {

// How much full-resolution past goes through the detectors: more than the
// anomaly detectors' learning (BottleneckConfig::min_history), the alert
// hysteresis and the workload window, at a cost of one ingest per second of it.
constexpr int64_t kWarmupSeconds = 300;

struct WarmupResult {
  size_t snapshots = 0;            // ingested before `at_ns`
  analytics::AnalysisResult last;  // the analysis of the last of them
};

// Feeds the forecaster the recording's history older than the warm-up
// window (daemon::preload_history), then ingests the full-resolution
// snapshots of the last `warm_s` seconds before `at_ns`, so detectors'
// baselines, open alerts and workload windows are those of that moment. A
// missing directory or an empty window leaves the analyzer cold.
WarmupResult warm_up(analytics::Analyzer& analyzer, const std::filesystem::path& dir, int64_t at_ns,
                     int64_t warm_s = kWarmupSeconds);

}  // namespace kpulse::cli
