#include "tune/cpu_diagnosis.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace kpulse::tune {

using model::ComponentKind;
using model::MetricId;

HostCpu host_cpu(const model::Snapshot& s) {
  HostCpu h;
  const model::Component* host = s.host();
  if (!host) return h;
  double util = host->value(MetricId::CpuUtilization);  // 0..1 of the host
  if (!std::isfinite(util)) return h;
  h.cpus = std::max<long>(1, ::sysconf(_SC_NPROCESSORS_ONLN));
  h.busy = util * h.cpus;
  h.idle = std::max(0.0, h.cpus - h.busy);
  // Top-level cgroups' CPU; what the host used beyond it ran in the root cgroup.
  double top = 0;
  for (const auto& c : s.components)
    if (c.kind == ComponentKind::Cgroup && c.id != "/" && (c.parent.empty() || c.parent == "/")) {
      double u = c.value(MetricId::CpuUtilization);
      if (std::isfinite(u)) top += u;
    }
  h.outside = std::max(0.0, h.busy - top);
  h.valid = true;
  return h;
}

double throttled_share(const model::Component& c) {
  double periods = c.delta(MetricId::CgCpuPeriods);
  double throttled = c.delta(MetricId::CgCpuThrottledPeriods);
  if (std::isnan(c.value(MetricId::CgCpuQuota)) || !(periods > 0) || std::isnan(throttled))
    return std::nan("");
  return throttled / periods;
}

std::string party_name(const std::string& cgroup) {
  return cgroup == "/" ? "processes in the root cgroup /" : cgroup;
}

}  // namespace kpulse::tune
