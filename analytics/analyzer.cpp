#include "analytics/analyzer.h"

namespace kpulse::analytics {

const std::vector<MetricForecast>& AnalysisResult::forecasts() const {
  static const std::vector<MetricForecast> kNone;
  return forecast_round ? *forecast_round : kNone;
}

Analyzer::Analyzer(AnalyzerConfig config)
    : cfg_(std::move(config)),
      detector_(cfg_.bottleneck),
      alerts_(cfg_.alerts),
      workloads_(cfg_.workload),
      forecasts_(cfg_.forecasts) {
  if (!cfg_.knobs) cfg_.knobs = read_knob_from_host;
}

AnalysisResult Analyzer::ingest(const model::Snapshot& snap) {
  AnalysisResult r;
  r.time_ns = snap.time_ns;
  r.seq = snap.seq;
  r.bottlenecks = detector_.update(snap);
  r.use = detector_.last_table();
  r.transitions = alerts_.update(snap.time_ns, r.bottlenecks);
  r.active_alerts = alerts_.active();
  workloads_.update(snap);
  r.patterns = workloads_.patterns();
  // Only bottlenecks behind an active alert earn a recommendation: a resource
  // saturated all along is either intended or already known.
  std::vector<Bottleneck> alerted;
  for (const auto& b : r.bottlenecks)
    for (const auto& a : r.active_alerts)
      if (a.id == b.id && a.state == AlertState::Firing) alerted.push_back(b);
  r.recommendations = recommend(alerted, cfg_.knobs);
  if (cfg_.forecasting) {
    forecasts_.ingest(snap);
    forecasts_.maybe_refresh();
    r.forecast_round = forecasts_.latest_shared();
  }
  return r;
}

void Analyzer::preload(const model::Snapshot& snap) {
  if (cfg_.forecasting) forecasts_.ingest(snap);
}

std::shared_ptr<const std::vector<MetricForecast>> Analyzer::refresh_forecasts() {
  if (cfg_.forecasting) forecasts_.refresh();
  return forecasts_.latest_shared();
}

}  // namespace kpulse::analytics
