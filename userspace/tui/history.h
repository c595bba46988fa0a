// Recent values per component and metric, kept by the UI for sparklines in
// the detail view. Counters are kept as per-second rates, gauges as read
// (model::reading_of, the one definition of a point).
//
// Why not analytics::History: a sparkline wants the last N samples as they
// came (one per refresh, whatever the interval, also in replay where time
// jumps), in floats, and forgets a component the moment it disappears; the
// analytics store buckets by wall-clock second into day-long tiers (270 KiB
// per series) and keeps series after their component is gone.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"

namespace kpulse::tui {

class History {
 public:
  explicit History(size_t capacity = 120) : capacity_(capacity) {}

  // Appends this snapshot's values; forgets components that are gone.
  void add(const model::Snapshot& snap);
  // Oldest first; empty when unknown.
  [[nodiscard]] std::vector<double> series(const std::string& component_key,
                                           model::MetricId id) const;
  // Metrics recorded for a component, in catalog order.
  [[nodiscard]] std::vector<model::MetricId> metrics(const std::string& component_key) const;
  [[nodiscard]] size_t capacity() const { return capacity_; }

 private:
  struct Ring {
    std::vector<float> values;
    size_t next = 0;  // slot the next value goes into once full
  };
  using PerMetric = std::unordered_map<model::MetricId, Ring>;
  size_t capacity_;
  uint64_t generation_ = 0;
  std::unordered_map<std::string, std::pair<uint64_t, PerMetric>> by_component_;
};

}  // namespace kpulse::tui
