// What views 2-7 show besides (or instead of) the component table.
#include <cmath>

#include "model/listeners_exits.h"
#include "tui/format.h"
#include "tui/frame_parts.h"
#include "tui/widgets.h"

namespace kpulse::tui::parts {
namespace {

using model::ComponentKind;
using model::MetricId;

// Latency histograms are drawn over 1us..32ms (slots 10..24): where scheduler
// and disk latencies live; counts outside still show in the quantiles.
constexpr int kStripFirst = 10, kStripLast = 24;
constexpr int kStripWidth = kStripLast - kStripFirst + 1;  // one glyph per slot

std::string strip(const model::Component& c, MetricId id, const Glyphs& g) {
  const auto* h = c.find_histogram(id);
  if (!h) return {};
  return histogram_strip(h->delta, kStripFirst, kStripLast, g);
}

// One row of right-aligned cells after a left-aligned name.
Line cells_line(std::string_view name, int name_w, std::initializer_list<std::string> cells,
                int cell_w, const Glyphs& g, Style style = Style::Normal) {
  Line l;
  l.add(fit_left(name, name_w, g.ellipsis), style);
  for (const auto& c : cells) l.add(" " + fit_right(c, cell_w, g.ellipsis), style);
  return l;
}

void cpu_section(const FrameInput& in, int max_lines, std::vector<Line>& out) {
  const Glyphs& g = *in.glyphs;
  const auto& s = *in.snapshot;
  Line head = cells_line("CPU", 6, {"UTIL", "RUNQ", "RQ50", "RQ99"}, 6, g, Style::TableHeader);
  head.add("  run-queue latency 1us" + std::string(size_t(kStripWidth - 7), ' ') + "32ms",
           Style::TableHeader);
  head.fill = Style::TableHeader;
  out.push_back(std::move(head));
  int shown = 0, total = 0;
  for (const auto& c : s.components) {
    if (c.kind != ComponentKind::Cpu) continue;
    ++total;
    if (shown + 2 > max_lines) continue;
    Line l =
        cells_line(c.id, 6,
                   {format_percent(c.value(MetricId::CpuUtilization)),
                    format_count(c.value(MetricId::SchedRunqLength)),
                    format_duration_ns(c.interval_quantile_ns(MetricId::SchedRunqLatency, 0.5)),
                    format_duration_ns(c.interval_quantile_ns(MetricId::SchedRunqLatency, 0.99))},
                   6, g);
    l.add("  ").add(strip(c, MetricId::SchedRunqLatency, g), Style::Good);
    out.push_back(std::move(l));
    ++shown;
  }
  if (shown < total)
    out.push_back(Line{}.add("… " + std::to_string(total - shown) + " more CPUs", Style::Dim));
}

void disk_section(const FrameInput& in, int max_lines, std::vector<Line>& out) {
  const Glyphs& g = *in.glyphs;
  const auto& s = *in.snapshot;
  Line head =
      cells_line("DEVICE", 8,
                 {"r/s", "w/s", "rB/s", "wB/s", "UTIL", "QDEP", "INFL", "Qp50", "DEVp50", "DEVp99"},
                 6, g, Style::TableHeader);
  head.add("  device latency 1us" + std::string(size_t(kStripWidth - 7), ' ') + "32ms",
           Style::TableHeader);
  head.fill = Style::TableHeader;
  out.push_back(std::move(head));
  int shown = 0;
  for (const auto& c : s.components) {
    if (c.kind != ComponentKind::Disk || shown + 1 >= max_lines) continue;
    double util = c.value(MetricId::DiskUtilization);
    Line l =
        cells_line(c.id, 8,
                   {format_count(c.rate(MetricId::DiskReadOps, s.interval_s)),
                    format_count(c.rate(MetricId::DiskWriteOps, s.interval_s)),
                    format_bytes(c.rate(MetricId::DiskReadBytes, s.interval_s)),
                    format_bytes(c.rate(MetricId::DiskWriteBytes, s.interval_s)),
                    format_percent(util), format_count(c.value(MetricId::DiskQueueDepth)),
                    format_count(c.value(MetricId::BlkInflight)),
                    format_duration_ns(c.interval_quantile_ns(MetricId::BlkQueueLatency, 0.5)),
                    format_duration_ns(c.interval_quantile_ns(MetricId::BlkDeviceLatency, 0.5)),
                    format_duration_ns(c.interval_quantile_ns(MetricId::BlkDeviceLatency, 0.99))},
                   6, g);
    l.add("  ").add(strip(c, MetricId::BlkDeviceLatency, g), level_style(util));
    out.push_back(std::move(l));
    ++shown;
  }
  if (shown == 0) out.push_back(Line{}.add("no disks reported", Style::Dim));
}

void network_section(const FrameInput& in, int max_lines, std::vector<Line>& out) {
  const Glyphs& g = *in.glyphs;
  const auto& s = *in.snapshot;
  Line head = cells_line("IFACE", 10, {"rx/s", "tx/s", "rxpk/s", "txpk/s", "drops", "errors"}, 7, g,
                         Style::TableHeader);
  head.fill = Style::TableHeader;
  out.push_back(std::move(head));
  int used = 1;
  for (const auto& c : s.components) {
    if (c.kind != ComponentKind::Interface || used + 3 >= max_lines) continue;
    double drops =
        c.rate(MetricId::IfRxDrops, s.interval_s) + c.rate(MetricId::IfTxDrops, s.interval_s);
    double errors =
        c.rate(MetricId::IfRxErrors, s.interval_s) + c.rate(MetricId::IfTxErrors, s.interval_s);
    out.push_back(cells_line(c.id, 10,
                             {format_bytes(c.rate(MetricId::IfRxBytes, s.interval_s)),
                              format_bytes(c.rate(MetricId::IfTxBytes, s.interval_s)),
                              format_count(c.rate(MetricId::IfRxPackets, s.interval_s)),
                              format_count(c.rate(MetricId::IfTxPackets, s.interval_s)),
                              format_count(drops), format_count(errors)},
                             7, g));
    ++used;
  }
  if (const auto* h = s.host()) {
    Line tcp;
    tcp.add("TCP ", Style::Title);
    double retx = h->rate(MetricId::TcpRetransmits, s.interval_s);
    tcp.add("retx ").add(format_count(retx) + "/s", retx > 0 ? Style::Warn : Style::Normal);
    tcp.add("  resets " + format_count(h->rate(MetricId::TcpResets, s.interval_s)) + "/s");
    double ovf = h->delta(MetricId::TcpListenOverflows);
    tcp.add("  listen-overflows ").add(format_count(ovf), ovf > 0 ? Style::Crit : Style::Normal);
    tcp.add("  opens " + format_count(h->rate(MetricId::TcpActiveOpens, s.interval_s)) + "/" +
            format_count(h->rate(MetricId::TcpPassiveOpens, s.interval_s)) + "/s");
    tcp.add("  connect p99 " +
            format_duration_ns(h->interval_quantile_ns(MetricId::TcpConnectLatency, 0.99)));
    out.push_back(std::move(tcp));
    ++used;
  }
  for (const auto& l : s.components) {
    if (l.kind != ComponentKind::Listener) continue;
    if (used + 1 >= max_lines) break;
    Line line;
    line.add("listen ", Style::Title);
    line.add(std::string(model::listener_address(l)) + "  queue " +
             model::whole_number(l.value(MetricId::TcpListenQueued)) + "/" +
             model::whole_number(l.value(MetricId::TcpListenBacklog)));
    const double overflows = l.delta(MetricId::TcpListenOverflows);
    line.add("  overflows ")
        .add(format_count(overflows), overflows > 0 ? Style::Crit : Style::Normal);
    if (!l.name.empty()) line.add("  " + l.name + " [" + l.detail + "]");
    out.push_back(std::move(line));
    ++used;
  }
}

void memory_section(const FrameInput& in, std::vector<Line>& out) {
  const auto& s = *in.snapshot;
  const auto* h = s.host();
  if (!h) return;
  Line ram;
  ram.add("RAM ", Style::Title);
  ram.add("total " + format_bytes(h->value(MetricId::MemTotal)) + "  used " +
          format_bytes(h->value(MetricId::MemUsed)) + "  available " +
          format_bytes(h->value(MetricId::MemAvailable)) + "  cached " +
          format_bytes(h->value(MetricId::MemCached)) + "  buffers " +
          format_bytes(h->value(MetricId::MemBuffers)) + "  dirty " +
          format_bytes(h->value(MetricId::MemDirty)));
  out.push_back(std::move(ram));
  Line rec;
  rec.add("Reclaim ", Style::Title);
  double stall = h->rate(MetricId::MemReclaimStall, s.interval_s);
  rec.add("stall ").add(format_duration_s(stall) + "/s", stall > 0 ? Style::Warn : Style::Normal);
  rec.add("  major-faults " + format_count(h->rate(MetricId::VmMajorFaults, s.interval_s)) +
          "/s  direct-scan " + format_count(h->rate(MetricId::VmPgscanDirect, s.interval_s)) +
          "/s");
  double ooms = h->delta(MetricId::MemOomKills);
  rec.add("  oom-kills ").add(format_count(ooms), ooms > 0 ? Style::Crit : Style::Normal);
  rec.add("  swap " + format_bytes(h->value(MetricId::SwapUsed)) + "/" +
          format_bytes(h->value(MetricId::SwapTotal)));
  out.push_back(std::move(rec));
}

}  // namespace

void view_section(const FrameInput& in, View view, int max_lines, std::vector<Line>& out) {
  if (!in.snapshot || max_lines <= 0) return;
  switch (view) {
    case View::Cpu:
      cpu_section(in, max_lines, out);
      break;
    case View::Disks:
      disk_section(in, max_lines, out);
      break;
    case View::Network:
      network_section(in, max_lines, out);
      break;
    case View::Memory:
      memory_section(in, out);
      break;
    default:
      break;
  }
}

void alerts_view(const FrameInput& in, int width, std::vector<Line>& out) {
  out.push_back(Line{}.add("Alerts", Style::Title));
  if (!in.analysis) {
    out.push_back(Line{}.add("no data yet: analytics is not connected to the UI", Style::Dim));
    return;
  }
  const auto& alerts = in.analysis->alerts;
  const Glyphs& g = *in.glyphs;
  if (alerts.empty()) out.push_back(Line{}.add("no active alerts", Style::Good));
  for (const auto& a : alerts) {
    Style st = a.severity == "critical"  ? Style::Crit
               : a.severity == "warning" ? Style::Warn
                                         : Style::Normal;
    Line l;
    l.add(fit_left(a.severity, 9, g.ellipsis), st);
    l.add(" " + fit_left(a.component, 36, g.ellipsis) + " ");
    l.add(truncate(a.summary, std::max(0, width - 47), g.ellipsis));
    out.push_back(std::move(l));
  }
  const auto& tuning = in.analysis->tuning;
  if (tuning.empty()) return;
  out.push_back(Line{});
  out.push_back(Line{}.add("Tuning: changes in force", Style::Title));
  for (const auto& t : tuning) {
    Line l;
    l.add(fit_left(t.component, 46, g.ellipsis) + " ", Style::Warn);
    l.add(truncate(t.text, std::max(0, width - 47), g.ellipsis));
    out.push_back(std::move(l));
  }
}

void forecasts_view(const FrameInput& in, int width, std::vector<Line>& out) {
  out.push_back(Line{}.add("Forecasts", Style::Title));
  if (!in.analysis) {
    out.push_back(
        Line{}.add("no data yet: forecasts appear here once analytics is connected", Style::Dim));
    return;
  }
  const auto& items = in.analysis->forecasts;
  if (items.empty()) {
    const std::string& why = in.analysis->forecast_status;
    out.push_back(Line{}.add(why.empty() ? "no forecasts yet" : why, Style::Dim));
    return;
  }
  const Glyphs& g = *in.glyphs;
  // Fixed columns first; the trend sparkline takes what is left.
  constexpr int kComp = 30, kMetric = 22, kNow = 10, kPeak = 24, kOut = 26, kHorizon = 10;
  const int trend_w = width - (kComp + kMetric + kNow + kPeak + kOut + kHorizon + 6);
  Line head;
  head.fill = Style::TableHeader;
  head.add(fit_left("COMPONENT", kComp) + " " + fit_left("METRIC", kMetric) + " " +
               fit_right("NOW", kNow) + " " + fit_left("PEAK (WHEN)", kPeak) + " " +
               fit_left("REACHES LIMIT", kOut) + " " + fit_right("NEXT", kHorizon),
           Style::TableHeader);
  if (trend_w >= 4) head.add(" " + fit_left("FORECAST", trend_w), Style::TableHeader);
  out.push_back(std::move(head));
  for (const auto& f : items) {
    Line l;
    l.add(fit_left(f.component, kComp, g.ellipsis) + " ");
    l.add(fit_left(f.metric, kMetric, g.ellipsis) + " ");
    l.add(fit_right(f.now, kNow, g.ellipsis) + " ");
    l.add(fit_left(f.peak, kPeak, g.ellipsis) + " ");
    l.add(fit_left(f.runs_out.empty() ? "-" : f.runs_out, kOut, g.ellipsis),
          f.exhausts ? Style::Crit : Style::Dim);
    l.add(" " + fit_right(f.horizon, kHorizon, g.ellipsis));
    if (trend_w >= 4) l.add(" ").add(sparkline_fit(f.point, trend_w, g), Style::Good);
    out.push_back(std::move(l));
  }
}

}  // namespace kpulse::tui::parts
