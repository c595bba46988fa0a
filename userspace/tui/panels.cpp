// Full-body panels: help (from the key table), the sort menu, the detail view,
// and the status line.
#include <algorithm>
#include <cmath>

#include "tui/format.h"
#include "tui/frame_parts.h"
#include "tui/keys.h"
#include "tui/widgets.h"

namespace kpulse::tui::parts {
namespace {

using model::MetricId;

std::string slot_range(int s) {
  uint64_t lo = s == 0 ? 0 : model::slot_upper_bound_ns(s - 1);
  if (s == model::kHistogramSlots - 1) return format_duration_ns(double(lo)) + "+";
  return format_duration_ns(double(lo)) + ".." +
         format_duration_ns(double(model::slot_upper_bound_ns(s)));
}

void limits_line(const model::Component& c, std::vector<Line>& out) {
  Line l;
  l.add("limits ", Style::Title);
  l.add("cpu quota " + (std::isnan(c.value(MetricId::CgCpuQuota))
                            ? std::string("none")
                            : format_count(c.value(MetricId::CgCpuQuota)) + " CPUs"));
  l.add("  memory " + format_bytes(c.value(MetricId::CgMemCurrent)));
  for (auto [label, id] :
       {std::pair{" min ", MetricId::CgMemMin}, std::pair{" low ", MetricId::CgMemLow},
        std::pair{" high ", MetricId::CgMemHigh}, std::pair{" max ", MetricId::CgMemMax}})
    l.add(std::string(label) + format_bytes(c.value(id)));
  out.push_back(std::move(l));
  Line p;
  p.add("pressure ", Style::Title);
  p.add("cpu " + format_percent(c.value(MetricId::PsiCpuSomeAvg10)) + "  memory " +
        format_percent(c.value(MetricId::PsiMemorySomeAvg10)) + "  io " +
        format_percent(c.value(MetricId::PsiIoSomeAvg10)) + " (some, avg10)");
  out.push_back(std::move(p));
}

}  // namespace

void help(const FrameInput& in, int width, int height, std::vector<Line>& out) {
  const Glyphs& g = *in.glyphs;
  out.push_back(Line{}.add("Keys (any key returns; q quits)", Style::Title));
  auto keys = key_table();
  // Two or more columns when the list does not fit the height.
  const int avail = height > 0 ? std::max(1, height - int(out.size()) - 1) : int(keys.size());
  const int ncols = std::max(1, (int(keys.size()) + avail - 1) / avail);
  const int per_col = (int(keys.size()) + ncols - 1) / ncols;
  const int col_w = width / ncols;
  for (int r = 0; r < per_col; ++r) {
    Line l;
    for (int c = 0; c < ncols; ++c) {
      const size_t i = size_t(c) * size_t(per_col) + size_t(r);
      if (i >= keys.size()) break;
      l.add(fit_left(keys[i].label, 9, g.ellipsis), Style::Key);
      l.add(fit_left(keys[i].help, std::max(0, col_w - 10), g.ellipsis) + " ");
    }
    out.push_back(std::move(l));
  }
}

void sort_menu(const UiState& state, int width, int max_lines, std::vector<Line>& out) {
  out.push_back(Line{}.add("Sort by (Up/Down, Enter, Esc)", Style::Title));
  auto cols = view_columns(state.view);
  // A window over the list that keeps the highlighted entry visible.
  const int room = std::max(1, max_lines - 1);
  const int first =
      std::clamp(state.sort_menu_index - room + 1, 0, std::max(0, int(cols.size()) - room));
  for (size_t i = size_t(first); i < cols.size() && int(i) < first + room; ++i) {
    const auto& spec = column(cols[i]);
    const bool sel = int(i) == state.sort_menu_index;
    Line l;
    if (sel) l.fill = Style::Selected;
    l.add((cols[i] == state.sort ? "* " : "  ") + fit_left(spec.header, 8) +
              truncate(spec.help, std::max(0, width - 11)),
          sel ? Style::Selected : Style::Normal);
    out.push_back(std::move(l));
  }
}

namespace {

// What analytics says about one component: its pattern, forecasts and the
// changes it recommends, each on its own lines.
void analysis_lines(const FrameInput& in, const std::string& key, int width,
                    std::vector<Line>& out) {
  if (!in.analysis) {
    out.push_back(Line{}.add(
        "pattern, forecast, recommendations: no data yet (analytics not connected)", Style::Dim));
    return;
  }
  const Glyphs& g = *in.glyphs;
  const AnalysisView& a = *in.analysis;
  Line pattern;
  pattern.add("Pattern ", Style::Title);
  std::string label = "not classified yet";
  for (const auto& p : a.patterns)
    if (p.component == key) label = p.text;
  pattern.add(truncate(label, std::max(0, width - 8), g.ellipsis));
  out.push_back(std::move(pattern));
  for (const auto& f : a.forecasts) {
    if (f.component != key) continue;
    Line l;
    l.add("Forecast ", Style::Title);
    l.add(truncate(f.summary, std::max(0, width - 9), g.ellipsis),
          f.exhausts ? Style::Crit : Style::Normal);
    out.push_back(std::move(l));
    if (f.band.empty()) continue;
    Line band;
    band.add("  " + truncate(f.band, std::max(0, width / 2), g.ellipsis) + " ");
    band.add(sparkline_fit(f.point, std::max(0, width - display_width(band.text()) - 1), g),
             Style::Good);
    out.push_back(std::move(band));
  }
  for (const auto& r : a.recommendations) {
    if (r.component != key) continue;
    Line l;
    l.add("Recommend ", Style::Title);
    l.add(truncate(r.text, std::max(0, width - 10), g.ellipsis), Style::Warn);
    out.push_back(std::move(l));
  }
}

}  // namespace

void detail(const FrameInput& in, const model::Component& c, int width, std::vector<Line>& out) {
  const Glyphs& g = *in.glyphs;
  Line title;
  title.add("Detail: " + std::string(model::to_string(c.kind)) + " " + c.id, Style::Title);
  if (c.kind == model::ComponentKind::Process) title.add("  " + c.name, Style::Title);
  out.push_back(std::move(title));
  Line ident;
  if (!c.parent.empty()) ident.add("parent " + c.parent + "  ");
  if (!c.detail.empty()) ident.add(c.detail);
  if (!ident.spans.empty()) out.push_back(std::move(ident));
  if (c.kind == model::ComponentKind::Cgroup) limits_line(c, out);

  if (in.history) {
    const std::string key = c.key();
    auto metrics = in.history->metrics(key);
    out.push_back(Line{}.add("Recent values (one point per interval, newest right)", Style::Title));
    const int name_w = 28, value_w = 10;
    const int spark_w = std::max(4, width - name_w - value_w - 2);
    for (MetricId id : metrics) {
      auto series = in.history->series(key, id);
      if (series.empty()) continue;
      Line l;
      l.add(fit_left(model::info(id).name, name_w, g.ellipsis));
      l.add(" ").add(sparkline(series, spark_w, g), Style::Good);
      l.add(" " + fit_right(format_metric(id, series.back()), value_w - 1, g.ellipsis));
      out.push_back(std::move(l));
    }
  }
  analysis_lines(in, c.key(), width, out);
  for (const auto& h : c.histograms) {
    const auto& d = h.delta;
    Line l;
    l.add(std::string(model::info(h.id).name), Style::Title);
    l.add("  n=" + format_count(double(d.count)) + "  mean " + format_duration_ns(d.mean_ns()) +
          "  p50 " + format_duration_ns(d.quantile_ns(0.5)) + "  p90 " +
          format_duration_ns(d.quantile_ns(0.9)) + "  p99 " +
          format_duration_ns(d.quantile_ns(0.99)) + "  (this interval)");
    out.push_back(std::move(l));
    uint64_t hi = *std::max_element(d.slots.begin(), d.slots.end());
    if (!hi) continue;
    const int bar_w = std::max(4, width - 30);
    for (int s = 0; s < model::kHistogramSlots; ++s) {
      uint64_t n = d.slots[size_t(s)];
      if (!n) continue;
      int cells = std::max(1, int(std::lround(double(n) / double(hi) * bar_w)));
      std::string bar;
      for (int k = 0; k < cells; ++k) bar += g.meter_full;
      Line b;
      b.add("  " + fit_right(slot_range(s), 14) + " ");
      b.add(bar, Style::Good);
      b.add(" " + format_count(double(n)));
      out.push_back(std::move(b));
    }
  }
}

Line status(const FrameInput& in, const UiState& state, int width, size_t rows) {
  Line l;
  l.fill = Style::TableHeader;
  if (state.mode == Mode::TimeInput) {
    l.add("Go to: ", Style::Key).add(state.time_input + "_", Style::TableHeader);
    l.add("   -10m +1h from the shown time, 13:05 (UTC), ISO 8601 or Unix s   Enter go  Esc cancel",
          Style::TableHeader);
    return l;
  }
  if (state.mode == Mode::FilterInput) {
    l.add("Filter: ", Style::Key).add(state.filter + "_", Style::TableHeader);
    l.add("   Enter keep  Esc clear", Style::TableHeader);
    return l;
  }
  std::string info =
      "sort " + std::string(column(state.sort).header) + (state.descending ? " desc" : " asc");
  if (!state.filter.empty()) info += "  filter '" + state.filter + "'";
  if (state.tree) info += "  tree";
  if (state.follow) info += "  follow";
  if (!state.show_processes) info += "  cgroups only";
  info += "  " + std::to_string(rows) + " rows";
  if (!state.status.empty()) info = state.status;
  // Key hints while they leave room for the state summary. One column stays
  // free at the edge: terminals scroll when the bottom-right cell is written.
  const int info_w = std::min(display_width(info), std::max(0, width - 1));
  int used = 0;
  for (const auto& b : key_table()) {
    if (b.hint.empty()) continue;
    std::string k(b.label.substr(0, b.label.find(' ')));
    std::string hint = " " + std::string(b.hint) + "  ";
    int w = display_width(k) + display_width(hint);
    if (used + w + info_w > width - 1) break;
    l.add(std::move(k), Style::Key).add(std::move(hint), Style::TableHeader);
    used += w;
  }
  l.add(fit_right(info, std::max(0, width - 1 - used), in.glyphs->ellipsis), Style::TableHeader);
  return l;
}

void clip(Line& line, int width, const Glyphs& g) {
  int used = 0;
  for (size_t i = 0; i < line.spans.size(); ++i) {
    int w = display_width(line.spans[i].text);
    if (used + w <= width) {
      used += w;
      continue;
    }
    line.spans[i].text = truncate(line.spans[i].text, width - used, g.ellipsis);
    line.spans.resize(i + 1);
    return;
  }
}

}  // namespace kpulse::tui::parts
