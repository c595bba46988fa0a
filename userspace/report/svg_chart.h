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

// Run-queue or disk latency over time: one column per interval (merged into
// at most `max_columns`), one row per log2 latency slot, each cell shaded by
// its share of the column's events. Each cell is a <rect class="cell">.
struct HeatColumn {
  int64_t time_ns = 0;
  model::Log2Histogram counts;  // the interval's events
};
std::string heatmap_svg(const std::string& title, const std::vector<HeatColumn>& columns,
                        const TimeSpan& span, size_t max_columns = 120);

// The stylesheet the charts above expect (classes, text, colours), for any
// page that embeds them.
const char* chart_css();
// The series' colour swatches and labels, as the charts draw them.
std::string legend_html(const SeriesGroup& g);

// Palette colour of the i-th series (legend and chart agree).
std::string series_color(size_t i);
// "12:34:56" (UTC), for axes and tables.
std::string clock_time(int64_t time_ns);
// A value in the group's unit for humans: "85%", "12.3 MiB/s", "1.5"
// (model::format, full width).
std::string format_value(double v, const model::Quantity& unit);

}  // namespace kpulse::report
