// The dashboard API's response bodies, built from the model, the analytics
// results and the report's charts (docs/dashboard.md has the schema).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analytics/analyzer.h"
#include "model/snapshot.h"
#include "report/report_input.h"

namespace kpulse::dashboard {

struct AnalysisView;

// /api/v1/snapshot: host figures, disks, interfaces, kpulse's own cost, the
// cgroup and process tables, alert counts. `analysis` may be null.
nlohmann::json overview_json(const model::Snapshot& s, const AnalysisView* analysis);

// /api/v1/charts: each chart an SVG string from report/svg_chart.h, over
// `window` (thinned snapshots, oldest first) spanning from_ns..to_ns. The
// alerts timeline shows the live analysis's alerts and `found_in_window`
// (the analytics run again over a recorded window).
nlohmann::json charts_json(const std::vector<model::Snapshot>& window, int64_t from_ns,
                           int64_t to_ns, const AnalysisView* analysis,
                           const std::vector<analytics::Alert>& found_in_window = {});

// The alerts that fire when the analytics run over `window` (a recorded
// period, oldest first), as spans from firing to resolved.
std::vector<analytics::Alert> alerts_over(const std::vector<model::Snapshot>& window);

// A forecast drawn with the history it continues (from `snaps`), for the
// report and the drill-down alike; nullopt when the component or metric is
// not one the model knows.
std::optional<report::ForecastChart> forecast_chart(const analytics::MetricForecast& f,
                                                    const std::vector<model::Snapshot>& snaps);

// /api/v1/alert: the alert with its cause, evidence, latency histogram,
// patterns, forecast (and its chart), recommendations and tuning in force.
nlohmann::json alert_detail_json(const analytics::Alert& alert, const model::Snapshot* latest,
                                 const AnalysisView& analysis, const nlohmann::json& tuning,
                                 const std::vector<model::Snapshot>& window);

}  // namespace kpulse::dashboard
