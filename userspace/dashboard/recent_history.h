// The dashboard's memory of the last hour: one thinned snapshot per
// interval, holding only what its charts and heatmaps draw (host CPU,
// memory, pressure, load; disks with their latency histograms; interfaces;
// kpulse's own cost; the busiest cgroups' CPU and memory). Thinned
// snapshots stay model::Snapshot, so the report's series and charts
// (report/series.h, report/svg_chart.h) draw them unchanged.
//
// Bounded twice: `capacity` snapshots, and window() hands out at most
// `max_points` of them (every k-th over long windows).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "model/snapshot.h"

namespace kpulse::dashboard {

// Cgroups kept per thinned snapshot: the busiest by CPU.
inline constexpr size_t kHistoryCgroups = 10;

// The metrics a thinned snapshot keeps (and /api/v1/series can answer for).
bool kept_in_history(model::ComponentKind kind, model::MetricId id);

// Only the kept metrics of the kept components (see above).
model::Snapshot thin_snapshot(const model::Snapshot& s);

class RecentHistory {
 public:
  explicit RecentHistory(size_t capacity) : capacity_(capacity) {}
  void add(const model::Snapshot& s);
  // Snapshots with from_ns <= time <= to_ns, oldest first, at most
  // `max_points` of them evenly spread (the newest always included).
  [[nodiscard]] std::vector<model::Snapshot> window(int64_t from_ns, int64_t to_ns,
                                                    size_t max_points) const;
  [[nodiscard]] size_t size() const;
  [[nodiscard]] int64_t oldest_ns() const;

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  std::deque<model::Snapshot> ring_;
};

}  // namespace kpulse::dashboard
