#include "model/series_store.h"

#include <cmath>

namespace kpulse::model {

std::vector<SeriesPoint> series_of(std::span<const Snapshot> snaps, ComponentKind kind,
                                   std::string_view component_id, MetricId metric) {
  std::vector<SeriesPoint> out;
  for (const auto& s : snaps) {
    const Component* c = s.find(kind, component_id);
    if (!c) continue;
    const double v = c->reading(metric, s.interval_s);
    if (std::isfinite(v)) out.push_back({s.time_ns, v});
  }
  return out;
}

}  // namespace kpulse::model
