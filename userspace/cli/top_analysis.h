// Feeds `kpulse top` and `kpulse replay` from the analytics Analyzer: one
// ingest per snapshot the UI shows, the result turned into the UI's
// pre-formatted AnalysisView (alerts, forecasts, patterns, recommendations).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>

#include "model/snapshot.h"
#include "tui/frame_builder.h"

namespace kpulse::cli {

struct TopAnalysisOptions {
  // A recording whose history warms the forecaster (the daemon's directory,
  // live; the replayed one, for replay). Unset or missing: forecasts start
  // from what the UI itself sees.
  // Read up to the first snapshot's time when that arrives.
  std::optional<std::filesystem::path> history_dir;
  // Replay: on the first snapshot and on every jump, the detectors, alerts and
  // workload windows are warmed from the recording's last warmup_s seconds
  // before the shown one (cli/analysis_warmup.h), so the view shows the alerts
  // that were live then. 0 (live top): the forecaster alone is warmed.
  int64_t warmup_s = 0;
  // The state directory whose tuning journal lists the auto-tuner's changes
  // in force (read every few seconds; absent: none shown).
  std::optional<std::filesystem::path> state_dir;
};

// A callback for tui::TopOptions::analyze that owns its own Analyzer. A
// snapshot older than the previous one (replay stepping back), or more than a
// minute after it (replay seeking forward), restarts the analysis from there,
// as alert and pattern windows only move forward.
std::function<tui::AnalysisView(const model::Snapshot&)> make_top_analysis(
    const TopAnalysisOptions& options = {});

}  // namespace kpulse::cli
