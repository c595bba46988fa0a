// Recent values per component and metric, kept by the UI for sparklines in
// the detail view. Counters are kept as per-second rates, gauges as read.
//
// A model::SeriesStore (model/series_store.h: the one series store over
// snapshots, shared with analytics::History) whose storage is the last N
// readings: a sparkline wants the samples as they came (one per refresh,
// whatever the interval, also in replay where time jumps), in floats, and
// forgets a component the moment it disappears; analytics' storage buckets
// by wall-clock second into day-long tiers (270 KiB per series).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/series_store.h"
#include "model/snapshot.h"

namespace kpulse::tui {

// The last `capacity` readings of one series, NaN (a counter before its
// first interval) as 0.
struct RecentValues {
  size_t capacity = 0;
  std::vector<float> values;
  size_t next = 0;  // slot the next value goes into once full
  void append(int64_t time_ns, double value);
};

class History {
 public:
  explicit History(size_t capacity = 120);

  // Appends this snapshot's values; forgets components that are gone.
  void add(const model::Snapshot& snap) { store_.ingest(snap); }
  // Oldest first; empty when unknown.
  [[nodiscard]] std::vector<double> series(const std::string& component_key,
                                           model::MetricId id) const;
  // Metrics recorded for a component, in catalog order.
  [[nodiscard]] std::vector<model::MetricId> metrics(const std::string& component_key) const {
    return store_.metrics(component_key);
  }
  [[nodiscard]] size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  model::SeriesStore<RecentValues> store_;
};

}  // namespace kpulse::tui
