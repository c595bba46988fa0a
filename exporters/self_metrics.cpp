#include "exporters/self_metrics.h"

namespace kpulse::exporters {

void SelfMetrics::apply(model::Snapshot& snapshot, const ExportStats& stats) {
  model::Component* agent = nullptr;
  for (auto& c : snapshot.components)
    if (c.kind == model::ComponentKind::Agent) agent = &c;
  if (!agent) {
    snapshot.components.push_back({});
    agent = &snapshot.components.back();
    agent->kind = model::ComponentKind::Agent;
    agent->id = "kpulse";
    agent->name = "kpulse";
  }
  const uint64_t lost = stats.lost();
  agent->set_counter(model::MetricId::SelfExportDropped, double(lost),
                     double(lost >= last_lost_ ? lost - last_lost_ : lost));
  last_lost_ = lost;
}

}  // namespace kpulse::exporters
