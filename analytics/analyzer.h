// The analytics façade: ingests one model::Snapshot per interval and returns
// everything the live consumers show — USE table, bottlenecks, alerts,
// workload patterns and recommendations. `kpulse analyze`, `kpulse top` and
// the exporters all read the same AnalysisResult.
#pragma once

#include <string>
#include <vector>

#include "analytics/alert.h"
#include "analytics/bottleneck.h"
#include "analytics/recommend.h"
#include "analytics/use_table.h"
#include "analytics/workload_classifier.h"
#include "model/snapshot.h"

namespace kpulse::analytics {

struct AnalyzerConfig {
  BottleneckConfig bottleneck;
  AlertConfig alerts;
  WorkloadConfig workload;
  // Reads current knob values for recommendations; unset: read_knob_from_host.
  KnobReader knobs;
};

struct AnalysisResult {
  int64_t time_ns = 0;
  uint64_t seq = 0;
  std::vector<UseRow> use;
  std::vector<Bottleneck> bottlenecks;
  std::vector<Alert> active_alerts;  // pending and firing
  std::vector<Alert> transitions;    // alerts that changed state this interval
  std::vector<WorkloadPattern> patterns;
  std::vector<Recommendation> recommendations;
  // Forecasts join here once analytics/forecast.h (issue 3, forecasting half)
  // is merged: one line per metric with its capacity note.
  std::vector<std::string> forecasts;
};

class Analyzer {
 public:
  explicit Analyzer(AnalyzerConfig config = {});
  // Call once per snapshot, in collection order.
  AnalysisResult ingest(const model::Snapshot& snap);
  [[nodiscard]] const AlertManager& alerts() const { return alerts_; }

 private:
  AnalyzerConfig cfg_;
  BottleneckDetector detector_;
  AlertManager alerts_;
  WorkloadClassifier workloads_;
};

}  // namespace kpulse::analytics
