// Runs the analytics over a report's snapshots so the HTML report carries
// what the daemon would have said at the time: alerts as timeline spans,
// the workload patterns, forecasts from the end of the period and the
// recommended changes.
#pragma once

#include <filesystem>
#include <optional>

#include "report/report_input.h"

namespace kpulse::cli {

// Fills input.alerts, patterns, forecasts and recommendations from
// input.snapshots (oldest first). `history_dir`: the recording the
// snapshots came from, whose past before the first snapshot warms the
// forecaster (weeks of it give the 7-day horizons).
void add_analysis(report::ReportInput& input,
                  const std::optional<std::filesystem::path>& history_dir);

// Fills input.tuning from the tuning journal in `state_dir` (kpulse run's
// and kpulse tune's), the records within the snapshots' period. A missing
// journal is no history; nothing is created.
void add_tuning_history(report::ReportInput& input, const std::filesystem::path& state_dir);

}  // namespace kpulse::cli
