// Renders analytics results (analytics/analyzer.h) for `kpulse analyze`:
// JSON for scripts, text for people.
#pragma once

#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "analytics/analysis_json.h"
#include "analytics/analyzer.h"

namespace kpulse::cli {

// The run's summary: the last interval's state plus every alert transition seen.
nlohmann::json report_json(const analytics::AnalysisResult& last,
                           const std::vector<analytics::Alert>& history, double duration_s);
// `forecast_status`: why there are no forecasts yet (ForecastTracker::waiting_reason).
void print_report(std::ostream& out, const analytics::AnalysisResult& last,
                  const std::vector<analytics::Alert>& history, double duration_s,
                  const std::string& forecast_status);
// One line per alert transition, as it happens.
void print_transition(std::ostream& out, const analytics::Alert& a);

}  // namespace kpulse::cli
