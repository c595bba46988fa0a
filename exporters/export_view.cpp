#include "exporters/export_view.h"

namespace kpulse::exporters {

void utilization_as_share(model::Snapshot& snapshot) {
  double cpus = 0;
  for (const auto& c : snapshot.components)
    if (c.kind == model::ComponentKind::Cpu) ++cpus;
  if (cpus == 0) return;  // no per-CPU data: leave the values as they are
  for (auto& c : snapshot.components) {
    if (c.kind != model::ComponentKind::Cgroup && c.kind != model::ComponentKind::Process) continue;
    for (auto& s : c.samples)
      if (s.id == model::MetricId::CpuUtilization) s.value /= cpus;
  }
}

}  // namespace kpulse::exporters
