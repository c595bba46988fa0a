// Inline SVG line charts for the report: no scripts, no fonts, nothing
// fetched; text uses the page's generic sans-serif.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/report_input.h"
#include "report/series.h"

namespace kpulse::report {

struct TimeSpan {
  int64_t from_ns = 0;
  int64_t to_ns = 0;
};

// A line chart of `group` over `span`, shading each of `marks` (bottlenecks)
// and drawing the group's threshold. Each series is one <polyline
// class="series" data-points="N">; each mark one <rect class="saturation">.
std::string line_chart_svg(const SeriesGroup& group, const TimeSpan& span,
                           const std::vector<Finding>& marks);

// History, point forecast and its 80 %/95 % bands (<polygon class="band95">,
// <polygon class="band80">, <polyline class="forecast">), and the limit as a
// dashed <line class="limit">.
std::string forecast_chart_svg(const ForecastChart& chart);

// The alerts timeline: one row per resource, one bar per finding.
std::string timeline_svg(const std::vector<Finding>& findings, const TimeSpan& span);

// Palette colour of the i-th series (legend and chart agree).
std::string series_color(size_t i);
// "12:34:56" (UTC), for axes and tables.
std::string clock_time(int64_t time_ns);
// A value in the group's unit for humans: "85%", "12.3 MiB/s", "1.50".
std::string format_value(double v, const std::string& unit);
// Escapes &, <, >, " and ' for HTML text and attributes.
std::string html_escape(const std::string& s);

}  // namespace kpulse::report
