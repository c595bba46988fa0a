#include "dashboard/live_points.h"

#include <cmath>

#include "report/series.h"

namespace kpulse::dashboard {
namespace {

using model::ComponentKind;
using model::MetricId;
using nlohmann::json;

json num(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

// A share of a total (used / total), null when the total is unknown or 0.
json share(const model::Component& c, MetricId part, MetricId whole) {
  const double total = c.value(whole);
  return total > 0 ? num(c.value(part) / total) : json(nullptr);
}

// The interval's latency events as [[slot, count], ...] (empty slots left out).
json slots(const model::Component& c, MetricId id) {
  json out = json::array();
  if (const auto* h = c.find_histogram(id))
    for (int s = 0; s < model::kHistogramSlots; ++s)
      if (h->delta.slots[s]) out.push_back({s, h->delta.slots[s]});
  return out;
}

json point(const model::Snapshot& s) {
  const double dt = s.interval_s;
  auto value = [dt](const model::Component& c, MetricId id) {
    return num(report::point_value(c, id, dt));
  };
  json p = {{"t", s.time_ns}};
  json disks = json::object(), net = json::object(), cgroups = json::object();
  for (const auto& c : s.components) {
    switch (c.kind) {
      case ComponentKind::Host:
        p["cpu"] = value(c, MetricId::CpuUtilization);
        p["memory"] = share(c, MetricId::MemUsed, MetricId::MemTotal);
        p["swap"] = share(c, MetricId::SwapUsed, MetricId::SwapTotal);
        p["psi"] = {value(c, MetricId::PsiCpuSomeAvg10), value(c, MetricId::PsiMemorySomeAvg10),
                    value(c, MetricId::PsiIoSomeAvg10)};
        p["runq"] = slots(c, MetricId::SchedRunqLatency);
        break;
      case ComponentKind::Agent:
        p["kpulse"] = value(c, MetricId::SelfCpuTime);
        break;
      case ComponentKind::Disk:
        disks[c.id] = {{"utilization", value(c, MetricId::DiskUtilization)},
                       {"latency", slots(c, MetricId::BlkDeviceLatency)}};
        break;
      case ComponentKind::Interface:
        net[c.id] = {value(c, MetricId::IfRxBytes), value(c, MetricId::IfTxBytes)};
        break;
      case ComponentKind::Cgroup:
        if (c.id != "/") cgroups[c.id] = value(c, MetricId::CpuUtilization);
        break;
      default:
        break;
    }
  }
  p["disks"] = std::move(disks);
  p["net"] = std::move(net);
  p["cgroups"] = std::move(cgroups);
  return p;
}

}  // namespace

json live_points_json(const std::vector<model::Snapshot>& window) {
  json out = json::array();
  for (const auto& s : window) out.push_back(point(s));
  return out;
}

}  // namespace kpulse::dashboard
