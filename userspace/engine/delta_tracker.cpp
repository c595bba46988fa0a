#include "engine/delta_tracker.h"

#include <cmath>

namespace kpulse::engine {

void DeltaTracker::apply(std::vector<model::Component>& components) {
  std::unordered_map<std::string, Previous> next;
  next.reserve(components.size());
  for (auto& c : components) {
    std::string key = c.key();
    const Previous* prev = nullptr;
    if (auto it = previous_.find(key); it != previous_.end()) prev = &it->second;
    Previous& keep = next[key];
    for (auto& s : c.samples) {
      if (model::info(s.id).type != model::MetricType::Counter || !std::isnan(s.delta)) continue;
      s.delta = 0;
      if (prev) {
        for (const auto& p : prev->counters)
          if (p.id == s.id) {
            s.delta = s.value >= p.value ? s.value - p.value : s.value;
            break;
          }
      }
      keep.counters.push_back(s);
    }
  }
  previous_.swap(next);
}

}  // namespace kpulse::engine

namespace kpulse::engine {

void DeltaTracker::mark_unknown(model::Component& c) {
  for (auto& s : c.samples)
    if (model::info(s.id).type == model::MetricType::Counter) s.delta = model::kNaN;
}

}  // namespace kpulse::engine
