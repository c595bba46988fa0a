// The analytics façade: ingests one model::Snapshot per interval and returns
// everything the live consumers show — USE table, bottlenecks, alerts,
// workload patterns and recommendations. `kpulse analyze`, `kpulse top` and
// the exporters all read the same AnalysisResult.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analytics/alert.h"
#include "analytics/bottleneck.h"
#include "analytics/forecast_tracker.h"
#include "analytics/recommend.h"
#include "analytics/use_table.h"
#include "analytics/workload_classifier.h"
#include "model/snapshot.h"

namespace kpulse::analytics {

struct AnalyzerConfig {
  BottleneckConfig bottleneck;
  AlertConfig alerts;
  WorkloadConfig workload;
  ForecastTrackerConfig forecasts;
  bool forecasting = true;
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
  // The latest forecast round (re-run every ForecastTrackerConfig::refresh_s):
  // host CPU and memory, disks, cgroups' CPU and memory against their limits.
  // Shared, not copied: a round holds up to a few MB and changes once a minute.
  std::shared_ptr<const std::vector<MetricForecast>> forecast_round;
  [[nodiscard]] const std::vector<MetricForecast>& forecasts() const;
};

class Analyzer {
 public:
  explicit Analyzer(AnalyzerConfig config = {});
  // Call once per snapshot, in collection order.
  AnalysisResult ingest(const model::Snapshot& snap);
  // Feeds recorded history (record::load_history, oldest first) into the
  // forecaster only: alerts and patterns describe the present, not a replay
  // of the past, while forecasts need weeks of it.
  void preload(const model::Snapshot& snap);
  // Runs a forecast round now (end of a run) and returns it.
  std::shared_ptr<const std::vector<MetricForecast>> refresh_forecasts();
  [[nodiscard]] const AlertManager& alerts() const { return alerts_; }
  [[nodiscard]] const ForecastTracker& forecaster() const { return forecasts_; }

 private:
  AnalyzerConfig cfg_;
  BottleneckDetector detector_;
  AlertManager alerts_;
  WorkloadClassifier workloads_;
  ForecastTracker forecasts_;
};

}  // namespace kpulse::analytics
