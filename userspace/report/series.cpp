#include "report/series.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace kpulse::report {
namespace {

using model::ComponentKind;
using model::MetricId;

std::set<std::string> component_ids(const std::vector<model::Snapshot>& snaps, ComponentKind kind) {
  std::set<std::string> ids;
  for (const auto& s : snaps)
    for (const auto& c : s.components)
      if (c.kind == kind) ids.insert(c.id);
  return ids;
}

double total(const Series& s) {
  double sum = 0;
  for (const auto& p : s.points) sum += p.value;
  return sum;
}

// Keeps the `n` series with the largest sum, largest first.
void keep_top(std::vector<Series>& series, size_t n) {
  std::stable_sort(series.begin(), series.end(),
                   [](const Series& a, const Series& b) { return total(a) > total(b); });
  if (series.size() > n) series.resize(n);
}

}  // namespace

double point_value(const model::Component& c, MetricId id, double interval_s) {
  return c.reading(id, interval_s);
}

Series component_series(const std::vector<model::Snapshot>& snaps, ComponentKind kind,
                        const std::string& component_id, MetricId id, std::string label) {
  return {std::move(label), model::series_of(snaps, kind, component_id, id)};
}

SeriesGroup host_cpu(const std::vector<model::Snapshot>& snaps) {
  SeriesGroup g{"cpu", "Host CPU utilization", {model::Unit::Ratio}, {}, 0};
  g.series.push_back(
      component_series(snaps, ComponentKind::Host, "host", MetricId::CpuUtilization, "busy"));
  return g;
}

SeriesGroup host_memory(const std::vector<model::Snapshot>& snaps) {
  SeriesGroup g{"memory", "Host memory used", {model::Unit::Ratio}, {}, 0};
  Series used{"used / total", {}};
  Series swap{"swap used / total", {}};
  for (const auto& s : snaps) {
    const model::Component* h = s.host();
    if (!h) continue;
    double total = h->value(MetricId::MemTotal);
    double v = h->value(MetricId::MemUsed);
    if (total > 0 && std::isfinite(v)) used.points.push_back({s.time_ns, v / total});
    double st = h->value(MetricId::SwapTotal);
    double su = h->value(MetricId::SwapUsed);
    if (st > 0 && std::isfinite(su)) swap.points.push_back({s.time_ns, su / st});
  }
  g.series.push_back(std::move(used));
  if (!swap.points.empty()) g.series.push_back(std::move(swap));
  return g;
}

SeriesGroup host_psi(const std::vector<model::Snapshot>& snaps) {
  SeriesGroup g{"psi", "Pressure stall (some, avg10)", {model::Unit::Ratio}, {}, 0};
  const std::pair<MetricId, const char*> metrics[] = {{MetricId::PsiCpuSomeAvg10, "cpu"},
                                                      {MetricId::PsiMemorySomeAvg10, "memory"},
                                                      {MetricId::PsiIoSomeAvg10, "io"}};
  for (const auto& [id, label] : metrics) {
    Series s = component_series(snaps, ComponentKind::Host, "host", id, label);
    if (!s.points.empty()) g.series.push_back(std::move(s));
  }
  return g;
}

SeriesGroup disk_utilization(const std::vector<model::Snapshot>& snaps) {
  SeriesGroup g{"disks", "Disk utilization", {model::Unit::Ratio}, {}, 0};
  for (const auto& id : component_ids(snaps, ComponentKind::Disk)) {
    Series s = component_series(snaps, ComponentKind::Disk, id, MetricId::DiskUtilization, id);
    if (!s.points.empty()) g.series.push_back(std::move(s));
  }
  keep_top(g.series, 6);
  return g;
}

SeriesGroup network_throughput(const std::vector<model::Snapshot>& snaps) {
  SeriesGroup g{"network", "Network throughput", model::per_second(model::Unit::Bytes), {}, 0};
  for (const auto& id : component_ids(snaps, ComponentKind::Interface)) {
    for (auto [metric, dir] : {std::pair{MetricId::IfRxBytes, "rx"}, {MetricId::IfTxBytes, "tx"}}) {
      Series s = component_series(snaps, ComponentKind::Interface, id, metric, id + " " + dir);
      if (!s.points.empty()) g.series.push_back(std::move(s));
    }
  }
  keep_top(g.series, 6);
  return g;
}

SeriesGroup top_cgroups_cpu(const std::vector<model::Snapshot>& snaps, size_t n) {
  SeriesGroup g{"cgroups", "Top cgroups by CPU", {model::Unit::Count}, {}, 0};
  for (const auto& id : component_ids(snaps, ComponentKind::Cgroup)) {
    if (id == "/") continue;  // the root is the host again
    Series s = component_series(snaps, ComponentKind::Cgroup, id, MetricId::CpuUtilization, id);
    if (!s.points.empty()) g.series.push_back(std::move(s));
  }
  keep_top(g.series, n);
  return g;
}

}  // namespace kpulse::report
