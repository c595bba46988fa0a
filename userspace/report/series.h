// Time series pulled out of a snapshot sequence for the report's charts.
// Not a store: the report holds the recorded period's snapshots already and
// charts a few metrics of them, so it reads its series out of them with
// model::series_of (model/series_store.h), the same points the series store
// keeps for the TUI and analytics (counters as rates, gauges as read).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/format.h"
#include "model/series_store.h"
#include "model/snapshot.h"

namespace kpulse::report {

using Point = model::SeriesPoint;

struct Series {
  std::string label;
  std::vector<Point> points;  // NaN-free, oldest first
};

// One chart's worth of series, with the unit of their values.
struct SeriesGroup {
  std::string id;        // "cpu", "memory", ... (HTML anchor)
  std::string title;     // "Host CPU utilization"
  model::Quantity unit;  // a ratio, bytes per second, a count (CPUs)...
  std::vector<Series> series;
  double threshold = 0;  // 0: none drawn
};

// The gauge's value, or for a counter its delta over `interval_s` (a rate);
// NaN when the component lacks the metric.
double point_value(const model::Component& c, model::MetricId id, double interval_s);

// Value of `id` on the component, per snapshot: the gauge, or for counters
// the delta divided by the interval (a rate).
Series component_series(const std::vector<model::Snapshot>& snaps, model::ComponentKind kind,
                        const std::string& component_id, model::MetricId id, std::string label);

SeriesGroup host_cpu(const std::vector<model::Snapshot>& snaps);
SeriesGroup host_memory(const std::vector<model::Snapshot>& snaps);  // used / total
SeriesGroup host_psi(const std::vector<model::Snapshot>& snaps);
SeriesGroup disk_utilization(const std::vector<model::Snapshot>& snaps);
SeriesGroup network_throughput(const std::vector<model::Snapshot>& snaps);
// The `n` cgroups with the most CPU over the period, CPUs used.
SeriesGroup top_cgroups_cpu(const std::vector<model::Snapshot>& snaps, size_t n);

}  // namespace kpulse::report
