#include "report/svg_chart.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <map>

#include <fmt/format.h>

#include "model/markup.h"

namespace kpulse::report {
namespace {

constexpr double kWidth = 900, kHeight = 220;
constexpr double kLeft = 70, kRight = 15, kTop = 12, kBottom = 28;

struct Frame {
  TimeSpan span;
  double y_max;
  [[nodiscard]] double x(int64_t t) const {
    double w = kWidth - kLeft - kRight;
    double len = static_cast<double>(std::max<int64_t>(span.to_ns - span.from_ns, 1));
    return kLeft + w * static_cast<double>(t - span.from_ns) / len;
  }
  [[nodiscard]] double y(double v) const {
    double h = kHeight - kTop - kBottom;
    return kTop + h * (1 - std::clamp(v / y_max, 0.0, 1.0));
  }
};

// A "nice" axis maximum: 1, 2 or 5 times a power of ten at or above v.
double nice_ceiling(double v) {
  if (!(v > 0)) return 1;
  double p = std::pow(10, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

// The first and last time labels align inward so they stay inside the chart.
const char* edge_class(int i) {
  return i == 0 ? " first" : i == 5 ? " last" : "";
}

// Axis labels over spans of days need the date, within a day the clock.
std::string axis_time(int64_t time_ns, const TimeSpan& span) {
  if (span.to_ns - span.from_ns < 86'400LL * 1'000'000'000) return clock_time(time_ns);
  std::time_t t = static_cast<std::time_t>(time_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:02}-{:02} {:02}:{:02}", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

std::string polyline_points(const Frame& f, const std::vector<Point>& pts) {
  std::string out;
  for (const auto& p : pts) out += fmt::format("{:.1f},{:.1f} ", f.x(p.time_ns), f.y(p.value));
  return out;
}

// Horizontal grid with value labels, and six time labels along the bottom.
std::string grid_and_labels(const Frame& f, const model::Quantity& unit) {
  std::string svg;
  for (int i = 0; i <= 4; ++i) {
    double v = f.y_max * i / 4;
    double y = f.y(v);
    svg += fmt::format(
        "<line class=\"grid\" x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\"/>"
        "<text class=\"ylabel\" x=\"{}\" y=\"{:.1f}\">{}</text>\n",
        kLeft, y, kWidth - kRight, y, kLeft - 6, y + 4,
        model::escape_markup(format_value(v, unit)));
  }
  for (int i = 0; i <= 5; ++i) {
    int64_t t = f.span.from_ns + (f.span.to_ns - f.span.from_ns) * i / 5;
    svg += fmt::format("<text class=\"xlabel{}\" x=\"{:.1f}\" y=\"{}\">{}</text>\n", edge_class(i),
                       f.x(t), kHeight - 8, axis_time(t, f.span));
  }
  return svg;
}

// "4 us", "1 ms", "2 s": a latency bucket bound for axis labels. Not
// model::format: the bounds are powers of two and the axis reads them as
// whole numbers ("1 ms", not "1.0 ms" for 2^20 ns), one per row.
std::string format_duration_ns(double ns) {
  if (ns < 1e3) return fmt::format("{:.0f} ns", ns);
  if (ns < 1e6) return fmt::format("{:.0f} us", ns / 1e3);
  if (ns < 1e9) return fmt::format("{:.0f} ms", ns / 1e6);
  return fmt::format("{:.0f} s", ns / 1e9);
}

}  // namespace

std::string series_color(size_t i) {
  static constexpr std::array<const char*, 8> kPalette{"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd",
                                                       "#8c564b", "#e377c2", "#17becf", "#7f7f7f"};
  return kPalette[i % kPalette.size()];
}

std::string clock_time(int64_t time_ns) {
  std::time_t t = static_cast<std::time_t>(time_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string format_value(double v, const model::Quantity& unit) {
  return model::format(v, unit);
}

std::string line_chart_svg(const SeriesGroup& group, const TimeSpan& span,
                           const std::vector<Finding>& marks) {
  double top = group.unit == model::Quantity{model::Unit::Ratio} ? 1.0 : 0.0;
  for (const auto& s : group.series)
    for (const auto& p : s.points) top = std::max(top, p.value);
  top = std::max(top, group.threshold);
  Frame f{span, nice_ceiling(top)};

  std::string svg = fmt::format(
      "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" aria-label=\"{}\">\n",
      kWidth, kHeight, model::escape_markup(group.title));
  // Bottleneck spans under the lines, at least 3 px wide so one sample shows.
  for (const auto& m : marks) {
    double x0 = f.x(m.start_ns), x1 = std::max(f.x(m.end_ns), x0 + 3);
    svg += fmt::format(
        "<rect class=\"saturation\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\">"
        "<title>{}</title></rect>\n",
        x0, kTop, x1 - x0, kHeight - kTop - kBottom, model::escape_markup(m.message));
  }
  svg += grid_and_labels(f, group.unit);
  if (group.threshold > 0) {
    double y = f.y(group.threshold);
    svg += fmt::format(
        "<line class=\"threshold\" x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\">"
        "<title>saturation threshold {}</title></line>\n",
        kLeft, y, kWidth - kRight, y, format_value(group.threshold, group.unit));
  }
  for (size_t i = 0; i < group.series.size(); ++i) {
    const Series& s = group.series[i];
    svg += fmt::format(
        "<polyline class=\"series\" data-points=\"{}\" stroke=\"{}\" points=\"{}\">"
        "<title>{}</title></polyline>\n",
        s.points.size(), series_color(i), polyline_points(f, s.points),
        model::escape_markup(s.label));
  }
  svg += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n",
                     kLeft, kTop, kWidth - kLeft - kRight, kHeight - kTop - kBottom);
  return svg + "</svg>\n";
}

std::string forecast_chart_svg(const ForecastChart& c) {
  const size_t n = c.point.size();
  auto at = [&](size_t h) { return c.origin_ns + static_cast<int64_t>(h + 1) * c.step_ns; };
  TimeSpan span{c.history.empty() ? c.origin_ns : c.history.front().time_ns,
                n ? at(n - 1) : c.origin_ns + 1};
  double top = c.unit == model::Quantity{model::Unit::Ratio} ? 1.0 : 0.0;
  for (const auto& p : c.history) top = std::max(top, p.value);
  for (double v : c.hi95) top = std::max(top, v);
  top = std::max(top, c.limit);
  Frame f{span, nice_ceiling(top)};
  std::string svg = fmt::format(
      "<svg class=\"chart forecast\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" aria-label=\"{}\">\n",
      kWidth, kHeight, model::escape_markup(c.title));
  svg += grid_and_labels(f, c.unit);
  // A band: the upper bound forward, the lower bound back.
  auto band = [&](const char* cls, const std::vector<double>& lo, const std::vector<double>& hi) {
    if (lo.size() != n || hi.size() != n || n == 0) return;
    std::string pts;
    for (size_t h = 0; h < n; ++h) pts += fmt::format("{:.1f},{:.1f} ", f.x(at(h)), f.y(hi[h]));
    for (size_t h = n; h-- > 0;) pts += fmt::format("{:.1f},{:.1f} ", f.x(at(h)), f.y(lo[h]));
    svg += fmt::format("<polygon class=\"{}\" points=\"{}\"/>\n", cls, pts);
  };
  band("band95", c.lo95, c.hi95);
  band("band80", c.lo80, c.hi80);
  svg += fmt::format(
      "<line class=\"now\" x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\"><title>forecast "
      "origin</title></line>\n",
      f.x(c.origin_ns), kTop, f.x(c.origin_ns), kHeight - kBottom);
  svg += fmt::format(
      "<polyline class=\"series\" data-points=\"{}\" stroke=\"{}\" points=\"{}\">"
      "<title>history</title></polyline>\n",
      c.history.size(), series_color(0), polyline_points(f, c.history));
  std::vector<Point> fc;
  for (size_t h = 0; h < n; ++h) fc.push_back({at(h), c.point[h]});
  svg += fmt::format(
      "<polyline class=\"forecast\" data-points=\"{}\" points=\"{}\"><title>point "
      "forecast</title></polyline>\n",
      n, polyline_points(f, fc));
  if (c.limit > 0) {
    double y = f.y(c.limit);
    svg += fmt::format(
        "<line class=\"limit\" x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\">"
        "<title>{} {}</title></line>\n",
        kLeft, y, kWidth - kRight, y, model::escape_markup(c.limit_name),
        format_value(c.limit, c.unit));
  }
  svg += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n",
                     kLeft, kTop, kWidth - kLeft - kRight, kHeight - kTop - kBottom);
  return svg + "</svg>\n";
}

std::string timeline_svg(const std::vector<Finding>& findings, const TimeSpan& span) {
  std::vector<std::string> rows;
  for (const auto& fd : findings)
    if (std::find(rows.begin(), rows.end(), fd.resource) == rows.end()) rows.push_back(fd.resource);
  constexpr double kRow = 22;
  double height = kTop + kRow * static_cast<double>(rows.size()) + kBottom;
  Frame f{span, 1};
  std::string svg = fmt::format(
      "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" aria-label=\"alerts timeline\">\n",
      kWidth, height);
  for (size_t r = 0; r < rows.size(); ++r)
    svg += fmt::format("<text class=\"ylabel\" x=\"{}\" y=\"{:.1f}\">{}</text>\n", kLeft - 6,
                       kTop + kRow * r + 15, model::escape_markup(rows[r]));
  for (const auto& fd : findings) {
    size_t r = std::find(rows.begin(), rows.end(), fd.resource) - rows.begin();
    double x0 = f.x(fd.start_ns), x1 = std::max(f.x(fd.end_ns), x0 + 3);
    svg += fmt::format(
        "<rect class=\"alert {}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"16\">"
        "<title>{}</title></rect>\n",
        model::escape_markup(fd.severity), x0, kTop + kRow * r + 2, x1 - x0,
        model::escape_markup(fd.message));
  }
  for (int i = 0; i <= 5; ++i) {
    int64_t t = span.from_ns + (span.to_ns - span.from_ns) * i / 5;
    svg += fmt::format("<text class=\"xlabel{}\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
                       edge_class(i), f.x(t), height - 8, clock_time(t));
  }
  return svg + "</svg>\n";
}

const char* chart_css() {
  return R"(
svg { width: 100%; height: auto; display: block; }
svg text { font-family: sans-serif; font-size: 11px; fill: #444; }
svg .ylabel { text-anchor: end; }
svg .xlabel { text-anchor: middle; }
svg .xlabel.first { text-anchor: start; }
svg .xlabel.last { text-anchor: end; }
svg .grid { stroke: #e4e4e4; stroke-width: 1; }
svg .frame { fill: none; stroke: #999; stroke-width: 1; }
svg .series { fill: none; stroke-width: 1.6; }
svg .threshold { stroke: #c00; stroke-width: 1; stroke-dasharray: 5 4; }
svg .saturation { fill: #d62728; fill-opacity: 0.16; }
svg .band95 { fill: #1f77b4; fill-opacity: 0.12; stroke: none; }
svg .band80 { fill: #1f77b4; fill-opacity: 0.22; stroke: none; }
svg .forecast { fill: none; stroke: #1f77b4; stroke-width: 1.6; stroke-dasharray: 4 3; }
svg .limit { stroke: #c00; stroke-width: 1.2; stroke-dasharray: 6 3; }
svg .now { stroke: #777; stroke-width: 1; }
svg .alert { fill: #ff7f0e; }
svg .alert.critical { fill: #d62728; }
svg .alert.info { fill: #1f77b4; }
svg .cell { fill: #d62728; }
.legend span { display: inline-block; margin-right: 1.2em; font-size: 0.9em; }
.swatch { display: inline-block; width: 14px; height: 4px; margin-right: 4px; vertical-align: middle; }
)";
}

std::string legend_html(const SeriesGroup& g) {
  std::string out = "<div class=\"legend\">";
  for (size_t i = 0; i < g.series.size(); ++i)
    out += fmt::format("<span><span class=\"swatch\" style=\"background:{}\"></span>{}</span>",
                       series_color(i), model::escape_markup(g.series[i].label));
  return out + "</div>\n";
}

std::string heatmap_svg(const std::string& title, const std::vector<HeatColumn>& columns,
                        const TimeSpan& span, size_t max_columns) {
  // Neighbouring intervals merged so the cell count stays bounded.
  std::vector<HeatColumn> merged;
  const size_t per = columns.empty() ? 1 : (columns.size() + max_columns - 1) / max_columns;
  for (size_t i = 0; i < columns.size(); i += per) {
    HeatColumn m{columns[i].time_ns, {}};
    for (size_t j = i; j < std::min(columns.size(), i + per); ++j) m.counts += columns[j].counts;
    merged.push_back(m);
  }
  int lo = model::kHistogramSlots, hi = -1;
  for (const auto& c : merged)
    for (int s = 0; s < model::kHistogramSlots; ++s)
      if (c.counts.slots[s]) lo = std::min(lo, s), hi = std::max(hi, s);
  if (hi < 0) lo = 10, hi = 20;  // nothing yet: an empty 1 us..1 ms frame
  const int rows = hi - lo + 1;
  const double plot_h = kHeight - kTop - kBottom, row_h = plot_h / rows;
  Frame f{span, 1};
  std::string svg = fmt::format(
      "<svg class=\"chart heatmap\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" aria-label=\"{}\">\n",
      kWidth, kHeight, model::escape_markup(title));
  // Slot s holds [2^s, 2^(s+1)) ns: label every other row with its lower bound.
  for (int s = lo; s <= hi; s += std::max(1, rows / 6)) {
    const double y = kTop + plot_h - (s - lo + 0.5) * row_h;
    svg += fmt::format("<text class=\"ylabel\" x=\"{}\" y=\"{:.1f}\">{}</text>\n", kLeft - 6, y + 4,
                       format_duration_ns(static_cast<double>(uint64_t{1} << s)));
  }
  const double col_w = merged.size() > 1 ? f.x(merged[1].time_ns) - f.x(merged[0].time_ns) : 4;
  for (const auto& c : merged) {
    if (c.counts.count == 0) continue;
    const double x = f.x(c.time_ns) - std::max(col_w, 1.0);
    for (int s = lo; s <= hi; ++s) {
      if (!c.counts.slots[s]) continue;
      const double share = static_cast<double>(c.counts.slots[s]) / c.counts.count;
      svg += fmt::format(
          "<rect class=\"cell\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
          "fill-opacity=\"{:.2f}\"><title>{}: {} of {} at {}+</title></rect>\n",
          std::max(x, kLeft), kTop + plot_h - (s - lo + 1) * row_h, std::max(col_w, 1.0), row_h,
          0.08 + 0.92 * share, clock_time(c.time_ns), c.counts.slots[s], c.counts.count,
          format_duration_ns(static_cast<double>(uint64_t{1} << s)));
    }
  }
  for (int i = 0; i <= 5; ++i) {
    const int64_t t = span.from_ns + (span.to_ns - span.from_ns) * i / 5;
    svg += fmt::format("<text class=\"xlabel{}\" x=\"{:.1f}\" y=\"{}\">{}</text>\n", edge_class(i),
                       f.x(t), kHeight - 8, axis_time(t, span));
  }
  svg += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n",
                     kLeft, kTop, kWidth - kLeft - kRight, plot_h);
  return svg + "</svg>\n";
}

}  // namespace kpulse::report
