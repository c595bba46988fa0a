#include "engine/derived_metrics.h"

#include <algorithm>
#include <cmath>

namespace kpulse::engine {

using model::ComponentKind;
using model::MetricId;

namespace {

double delta_or_nan(const model::Component& c, MetricId id) {
  return c.delta(id);
}

void cpu_utilization_from_modes(model::Component& c) {
  static constexpr MetricId kModes[] = {
      MetricId::CpuUser,   MetricId::CpuNice, MetricId::CpuSystem,  MetricId::CpuIdle,
      MetricId::CpuIowait, MetricId::CpuIrq,  MetricId::CpuSoftirq, MetricId::CpuSteal};
  double total = 0;
  for (MetricId m : kModes) {
    double d = c.delta(m);
    if (!std::isnan(d)) total += d;
  }
  if (total <= 0) return;
  double idle = 0;
  for (MetricId m : {MetricId::CpuIdle, MetricId::CpuIowait}) {
    double d = c.delta(m);
    if (!std::isnan(d)) idle += d;
  }
  c.set_gauge(MetricId::CpuUtilization, std::clamp(1.0 - idle / total, 0.0, 1.0));
}

// Rate of the first present counter among `sources`, per second of interval.
void rate_gauge(model::Component& c, MetricId out, std::initializer_list<MetricId> sources,
                double interval_s, double max_value) {
  for (MetricId m : sources) {
    double d = delta_or_nan(c, m);
    if (std::isnan(d)) continue;
    c.set_gauge(out, std::clamp(d / interval_s, 0.0, max_value));
    return;
  }
}

}  // namespace

void derive_metrics(std::vector<model::Component>& components, double interval_s) {
  if (interval_s <= 0) return;
  for (auto& c : components) {
    switch (c.kind) {
      case ComponentKind::Host:
      case ComponentKind::Cpu:
        cpu_utilization_from_modes(c);
        break;
      case ComponentKind::Disk:
        rate_gauge(c, MetricId::DiskUtilization, {MetricId::DiskBusyTime}, interval_s, 1.0);
        rate_gauge(c, MetricId::DiskQueueDepth, {MetricId::DiskWeightedIoTime}, interval_s, 1e9);
        break;
      case ComponentKind::Cgroup:
        // cgroupfs usage is exact and hierarchical; BPF on-CPU time is the fallback.
        rate_gauge(c, MetricId::CpuUtilization, {MetricId::CgCpuUsage, MetricId::SchedOncpuTime},
                   interval_s, 1e6);
        break;
      case ComponentKind::Process:
        rate_gauge(c, MetricId::CpuUtilization, {MetricId::SchedOncpuTime, MetricId::ProcCpuTime},
                   interval_s, 1e6);
        break;
      default:
        break;
    }
  }
}

}  // namespace kpulse::engine
