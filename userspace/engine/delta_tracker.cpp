#include "engine/delta_tracker.h"

#include <cmath>

namespace kpulse::engine {

void DeltaTracker::apply(std::vector<model::Component>& components) {
  const uint64_t call = ++calls_;
  for (auto& c : components) {
    key_.assign(model::to_string(c.kind));
    key_ += ':';
    key_ += c.id;
    auto it = previous_.find(key_);
    if (it == previous_.end()) it = previous_.emplace(key_, Previous{}).first;
    Previous& p = it->second;
    // A key listed twice in one call: both take their deltas from the last
    // call's totals (p.counters until the end), and both keep theirs.
    if (p.seen != call) {
      p.fresh.clear();
      p.fresh_kernel_id = p.kernel_id;
      p.seen = call;
    }
    // Another object under the same key: nothing of the old one's totals applies.
    const bool replaced = c.kernel_id != 0 && p.kernel_id != 0 && c.kernel_id != p.kernel_id;
    if (c.kernel_id != 0) p.fresh_kernel_id = c.kernel_id;
    for (auto& s : c.samples) {
      if (model::info(s.id).type != model::MetricType::Counter || !std::isnan(s.delta)) continue;
      if (replaced) {
        s.delta = s.value;
        p.fresh.push_back(s);
        continue;
      }
      s.delta = 0;
      for (const auto& prev : p.counters)  // empty for a key new in this call
        if (prev.id == s.id) {
          s.delta = s.value >= prev.value ? s.value - prev.value : s.value;
          break;
        }
      p.fresh.push_back(s);
    }
  }
  // Components absent from this call are forgotten; the others' totals move on.
  for (auto it = previous_.begin(); it != previous_.end();) {
    if (it->second.seen != call) {
      it = previous_.erase(it);
      continue;
    }
    it->second.counters.swap(it->second.fresh);
    it->second.kernel_id = it->second.fresh_kernel_id;
    ++it;
  }
}

}  // namespace kpulse::engine

namespace kpulse::engine {

void DeltaTracker::mark_unknown(model::Component& c) {
  for (auto& s : c.samples)
    if (model::info(s.id).type == model::MetricType::Counter) s.delta = model::kNaN;
}

}  // namespace kpulse::engine
