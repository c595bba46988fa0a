#include "dashboard/views.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "analytics/alert_spans.h"
#include "analytics/analysis_json.h"
#include "analytics/analyzer.h"
#include "dashboard/board.h"
#include "model/snapshot_json.h"
#include "report/series.h"
#include "report/svg_chart.h"

namespace kpulse::dashboard {
namespace {

using model::ComponentKind;
using model::MetricId;
using nlohmann::json;
namespace an = analytics;

// JSON has no NaN: absent readings are null.
json num(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

json reading(const model::Component& c, MetricId id, double interval_s) {
  return num(report::point_value(c, id, interval_s));
}

json p99_ms(const model::Component& c, MetricId id) {
  const auto* h = c.find_histogram(id);
  if (!h || h->delta.count == 0) return nullptr;
  return h->delta.quantile_ns(0.99) / 1e6;
}

json host_json(const model::Component& h, double dt) {
  json j;
  for (auto [key, id] : {std::pair{"cpu", MetricId::CpuUtilization},
                         {"memory_used", MetricId::MemUsed},
                         {"memory_total", MetricId::MemTotal},
                         {"memory_available", MetricId::MemAvailable},
                         {"swap_used", MetricId::SwapUsed},
                         {"swap_total", MetricId::SwapTotal},
                         {"load1", MetricId::HostLoad1},
                         {"psi_cpu", MetricId::PsiCpuSomeAvg10},
                         {"psi_memory", MetricId::PsiMemorySomeAvg10},
                         {"psi_io", MetricId::PsiIoSomeAvg10},
                         {"procs_running", MetricId::HostProcsRunning},
                         {"procs_blocked", MetricId::HostProcsBlocked}})
    j[key] = reading(h, id, dt);
  j["runq_p99_ms"] = p99_ms(h, MetricId::SchedRunqLatency);
  return j;
}

// "cgroup:/a/b" -> (Cgroup, "/a/b").
std::optional<std::pair<ComponentKind, std::string>> split_key(const std::string& key) {
  const auto colon = key.find(':');
  if (colon == std::string::npos) return std::nullopt;
  const auto kind = model::component_kind_from_string(key.substr(0, colon));
  if (!kind) return std::nullopt;
  return std::pair{*kind, key.substr(colon + 1)};
}

}  // namespace

json overview_json(const model::Snapshot& s, const AnalysisView* analysis) {
  const double dt = s.interval_s;
  json j = {{"schema", "kpulse.dashboard/v1"},
            {"time_ns", s.time_ns},
            {"seq", s.seq},
            {"interval_s", dt},
            {"hostname", s.hostname}};
  json disks = json::array(), ifaces = json::array(), cgroups = json::array(),
       procs = json::array();
  for (const auto& c : s.components) {
    switch (c.kind) {
      case ComponentKind::Host:
        j["host"] = host_json(c, dt);
        break;
      case ComponentKind::Agent:
        j["kpulse"] = {{"cpu", reading(c, MetricId::SelfCpuTime, dt)},
                       {"rss", reading(c, MetricId::SelfRss, dt)},
                       {"drain_s", reading(c, MetricId::SelfDrainTime, dt)}};
        break;
      case ComponentKind::Disk:
        disks.push_back({{"id", c.id},
                         {"utilization", reading(c, MetricId::DiskUtilization, dt)},
                         {"read_bps", reading(c, MetricId::DiskReadBytes, dt)},
                         {"write_bps", reading(c, MetricId::DiskWriteBytes, dt)},
                         {"latency_p99_ms", p99_ms(c, MetricId::BlkDeviceLatency)}});
        break;
      case ComponentKind::Interface:
        ifaces.push_back({{"id", c.id},
                          {"rx_bps", reading(c, MetricId::IfRxBytes, dt)},
                          {"tx_bps", reading(c, MetricId::IfTxBytes, dt)}});
        break;
      case ComponentKind::Cgroup:
        cgroups.push_back({{"id", c.id},
                           {"cpu", reading(c, MetricId::CpuUtilization, dt)},
                           {"memory", reading(c, MetricId::CgMemCurrent, dt)},
                           {"io_read_bps", reading(c, MetricId::CgIoReadBytes, dt)},
                           {"io_write_bps", reading(c, MetricId::CgIoWriteBytes, dt)},
                           {"throttled", reading(c, MetricId::CgCpuThrottledTime, dt)},
                           {"psi_cpu", reading(c, MetricId::PsiCpuSomeAvg10, dt)},
                           {"pids", reading(c, MetricId::CgPids, dt)},
                           {"runq_p99_ms", p99_ms(c, MetricId::SchedRunqLatency)}});
        break;
      case ComponentKind::Process:
        procs.push_back({{"pid", c.id},
                         {"comm", c.name},
                         {"cgroup", c.parent},
                         {"cpu", reading(c, MetricId::CpuUtilization, dt)},
                         {"rss", reading(c, MetricId::ProcRss, dt)},
                         {"threads", reading(c, MetricId::ProcThreads, dt)},
                         {"major_faults", reading(c, MetricId::VmMajorFaults, dt)}});
        break;
      default:
        break;
    }
  }
  j["disks"] = std::move(disks);
  j["interfaces"] = std::move(ifaces);
  j["cgroups"] = std::move(cgroups);
  j["processes"] = std::move(procs);
  size_t firing = 0, pending = 0;
  if (analysis)
    for (const auto& a : analysis->last().active_alerts)
      (a.state == an::AlertState::Firing ? firing : pending)++;
  j["alerts"] = {{"firing", firing}, {"pending", pending}};
  return j;
}

json charts_json(const std::vector<model::Snapshot>& window, int64_t from_ns, int64_t to_ns,
                 const AnalysisView* analysis, const std::vector<an::Alert>& found_in_window) {
  const report::TimeSpan span{from_ns, to_ns};
  json charts = json::array();
  auto add = [&](report::SeriesGroup g) {
    charts.push_back({{"id", g.id},
                      {"title", g.title},
                      {"svg", report::line_chart_svg(g, span, {})},
                      {"legend", report::legend_html(g)}});
  };
  add(report::host_cpu(window));
  add(report::host_memory(window));
  add(report::host_psi(window));
  add(report::disk_utilization(window));
  add(report::network_throughput(window));
  add(report::top_cgroups_cpu(window, 6));
  report::SeriesGroup self{"kpulse", "kpulse's own CPU use", {model::Unit::Count}, {}, 0};
  self.series.push_back(report::component_series(window, ComponentKind::Agent, "kpulse",
                                                 MetricId::SelfCpuTime, "kpulse"));
  add(std::move(self));

  // Heatmaps: the host's run-queue latency and each disk's device latency.
  std::vector<report::HeatColumn> runq;
  std::map<std::string, std::vector<report::HeatColumn>> disks;
  for (const auto& s : window)
    for (const auto& c : s.components) {
      if (c.kind == ComponentKind::Host)
        if (const auto* h = c.find_histogram(MetricId::SchedRunqLatency))
          runq.push_back({s.time_ns, h->delta});
      if (c.kind == ComponentKind::Disk)
        if (const auto* h = c.find_histogram(MetricId::BlkDeviceLatency))
          disks[c.id].push_back({s.time_ns, h->delta});
    }
  json heatmaps = json::array();
  heatmaps.push_back({{"id", "runq"},
                      {"title", "Run-queue latency (host)"},
                      {"svg", report::heatmap_svg("run-queue latency", runq, span)}});
  for (const auto& [disk, cols] : disks)
    heatmaps.push_back({{"id", "disk-" + disk},
                        {"title", "Disk latency: " + disk},
                        {"svg", report::heatmap_svg("disk latency " + disk, cols, span)}});

  // The alerts timeline, as the report draws it.
  std::vector<report::Finding> findings;
  auto finding = [&](const an::Alert& a) {
    if (a.firing_ns == 0) return;
    const int64_t end = a.resolved_ns ? a.resolved_ns : to_ns;
    if (end < from_ns || a.firing_ns > to_ns) return;
    findings.push_back({std::max(a.firing_ns, from_ns), std::min(end, to_ns),
                        std::string(an::to_string(a.severity)),
                        std::string(an::to_string(a.resource)), "analytics", a.summary});
  };
  if (analysis) {
    for (const auto& a : analysis->resolved()) finding(a);
    for (const auto& a : analysis->last().active_alerts) finding(a);
  }
  for (const auto& a : found_in_window) finding(a);
  return {{"from_ns", from_ns},
          {"to_ns", to_ns},
          {"points", window.size()},
          {"charts", std::move(charts)},
          {"heatmaps", std::move(heatmaps)},
          {"timeline", report::timeline_svg(findings, span)}};
}

std::vector<an::Alert> alerts_over(const std::vector<model::Snapshot>& window) {
  if (window.empty()) return {};
  an::Analyzer analyzer;
  an::AlertSpans spans;
  for (const auto& s : window) spans.add(analyzer.ingest(s).transitions);
  return spans.finish(window.back().time_ns);
}

std::optional<report::ForecastChart> forecast_chart(const an::MetricForecast& f,
                                                    const std::vector<model::Snapshot>& snaps) {
  const auto colon = f.component.find(':');
  const auto kind = model::component_kind_from_string(f.component.substr(0, colon));
  const auto metric = model::metric_by_name(f.metric);
  if (colon == std::string::npos || !kind || !metric) return std::nullopt;
  report::ForecastChart c;
  c.title = f.component + " " + f.metric;
  c.unit = {f.unit};
  // A cgroup's CPU use counts CPUs (it may exceed 1), as its quota does.
  if (*kind == model::ComponentKind::Cgroup && *metric == model::MetricId::CpuUtilization)
    c.unit = {model::Unit::Count};
  c.summary = f.summary;
  c.history =
      report::component_series(snaps, *kind, f.component.substr(colon + 1), *metric, "history")
          .points;
  c.origin_ns = f.origin_s * 1'000'000'000LL;
  c.step_ns = f.step_s * 1'000'000'000LL;
  c.point = f.forecast.point;
  c.lo80 = f.forecast.lo80;
  c.hi80 = f.forecast.hi80;
  c.lo95 = f.forecast.lo95;
  c.hi95 = f.forecast.hi95;
  if (f.limit) c.limit = *f.limit;
  c.limit_name = f.limit_name;
  return c;
}

json alert_detail_json(const an::Alert& alert, const model::Snapshot* latest,
                       const AnalysisView& analysis, const json& tuning,
                       const std::vector<model::Snapshot>& window) {
  json j = {{"alert", an::to_json(alert)}};
  // The latency histogram of the saturated component for its resource.
  json histogram = nullptr;
  const auto key = split_key(alert.component);
  if (latest && key) {
    const MetricId hist_id = alert.resource == an::Resource::Disk ? MetricId::BlkDeviceLatency
                                                                  : MetricId::SchedRunqLatency;
    if (const auto* c = latest->find(key->first, key->second))
      if (const auto* h = c->find_histogram(hist_id))
        histogram = {{"metric", model::info(hist_id).name},
                     {"component", alert.component},
                     {"interval", model::to_json(h->delta)},
                     {"total", model::to_json(h->total)}};
  }
  j["histogram"] = std::move(histogram);
  auto related = [&](const std::string& component) {
    return component == alert.component || (!alert.cause.empty() && component == alert.cause);
  };
  json patterns = json::array();
  for (const auto& p : analysis.last().patterns)
    if (related(p.component)) patterns.push_back(an::to_json(p));
  j["patterns"] = std::move(patterns);
  json forecasts = json::array();
  for (const auto& f : analysis.last().forecasts()) {
    if (!related(f.component)) continue;
    json fj = an::to_json(f);
    const auto chart = forecast_chart(f, window);
    if (!chart) continue;
    fj["svg"] = report::forecast_chart_svg(*chart);
    forecasts.push_back(std::move(fj));
  }
  j["forecasts"] = std::move(forecasts);
  j["forecast_status"] = analysis.forecast_status;
  json recs = json::array();
  for (const auto& r : analysis.last().recommendations)
    if (r.bottleneck_id == alert.id) recs.push_back(an::to_json(r));
  j["recommendations"] = std::move(recs);
  // Tuning changes in force on the alert's component or its cause.
  json in_force = json::array();
  for (const auto& c : tuning) {
    const std::string knob = c.value("knob", "");
    const auto component_path = key ? key->second : std::string();
    const auto cause = split_key(alert.cause);
    // The root cgroup's "/" would match every knob.
    auto names = [&](const std::string& path) {
      return path.size() > 1 && knob.find(path) != std::string::npos;
    };
    if (names(component_path) || (cause && names(cause->second))) in_force.push_back(c);
  }
  j["tuning_in_force"] = std::move(in_force);
  return j;
}

}  // namespace kpulse::dashboard
