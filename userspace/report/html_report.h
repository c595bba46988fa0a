// One self-contained HTML file for a period: per-resource charts with
// bottlenecks marked, the alerts timeline, and the patterns, forecasts,
// recommendations and tuning history sections. Inline CSS and SVG only.
#pragma once

#include <string>

#include "report/report_input.h"

namespace kpulse::report {

// Throws std::invalid_argument when `input` has no snapshots.
std::string render_html(const ReportInput& input);

}  // namespace kpulse::report
