#include "tui/history.h"

#include <algorithm>
#include <cmath>

namespace kpulse::tui {

void History::add(const model::Snapshot& snap) {
  ++generation_;
  for (const auto& c : snap.components) {
    if (model::is_event_kind(c.kind)) continue;  // an exited task has no history
    auto& [seen, metrics] = by_component_[c.key()];
    seen = generation_;
    for (const auto& s : c.samples) {
      double v = model::reading_of(s, snap.interval_s);
      if (std::isnan(v)) v = 0;  // a counter before its first interval
      Ring& r = metrics[s.id];
      if (r.values.size() < capacity_) {
        r.values.push_back(float(v));
      } else {
        r.values[r.next] = float(v);
        r.next = (r.next + 1) % capacity_;
      }
    }
  }
  std::erase_if(by_component_, [&](const auto& kv) { return kv.second.first != generation_; });
}

std::vector<double> History::series(const std::string& key, model::MetricId id) const {
  auto c = by_component_.find(key);
  if (c == by_component_.end()) return {};
  auto m = c->second.second.find(id);
  if (m == c->second.second.end()) return {};
  const Ring& r = m->second;
  std::vector<double> out;
  out.reserve(r.values.size());
  for (size_t i = 0; i < r.values.size(); ++i)
    out.push_back(r.values[(r.next + i) % r.values.size()]);
  return out;
}

std::vector<model::MetricId> History::metrics(const std::string& key) const {
  std::vector<model::MetricId> out;
  auto c = by_component_.find(key);
  if (c == by_component_.end()) return out;
  for (const auto& kv : c->second.second) out.push_back(kv.first);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace kpulse::tui
