// Folds the snapshots of several collection intervals into one for an export
// interval that is longer than the collection interval (kpulse collects every
// second, a Collector wants points every 10-60 s).
//
// The merged snapshot has the latest values (cumulative counters, gauges,
// cumulative histograms) and, for delta temporality, the counters' deltas
// summed and the histograms' delta buckets merged over the whole export
// interval, so no increase between two exports is lost. A component that
// disappeared before the export is left out (its last deltas with it).
#pragma once

#include <optional>

#include "model/snapshot.h"

namespace kpulse::exporters {

class IntervalMerger {
 public:
  void add(model::Snapshot snapshot);
  [[nodiscard]] bool empty() const { return !pending_; }
  // The merged snapshot; the merger is empty afterwards.
  model::Snapshot take();

 private:
  std::optional<model::Snapshot> pending_;
};

}  // namespace kpulse::exporters
