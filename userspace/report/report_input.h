// What an HTML report is made of: the snapshots of the period, plus the
// findings other parts of kpulse produced about it. Analytics, forecasting
// and the tuner fill the finding lists when they are part of the build; an
// empty list renders as "none recorded".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "report/series.h"

namespace kpulse::report {

// An alert or a detected bottleneck over a time span.
struct Finding {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::string severity;  // "critical", "warning", "info"
  std::string resource;  // "cpu", "memory", "psi", "disk", "network", "cgroup"
  std::string source;    // "threshold", "analytics", ...
  std::string message;
  std::string cause;  // the top consumer's component key ("cgroup:/x"), "" if unknown
};

// A line for the patterns, forecasts, recommendations and tuning sections.
struct Note {
  int64_t time_ns = 0;  // 0: not tied to an instant
  std::string title;
  std::string detail;
};

// A forecast drawn with the history it continues: point forecast, 80 % and
// 95 % bands, and the limit it is measured against.
struct ForecastChart {
  std::string title;           // "cgroup:/app.slice cgroup.memory.current"
  model::Quantity unit;        // as SeriesGroup::unit
  std::string summary;         // the one-line summary, as the caption
  std::vector<Point> history;  // oldest first
  int64_t origin_ns = 0;       // the forecast starts here...
  int64_t step_ns = 0;         // ...one value per step
  std::vector<double> point, lo80, hi80, lo95, hi95;
  double limit = 0;  // 0: none drawn
  std::string limit_name;
};

// Above these a resource is marked saturated (config [report]).
struct Thresholds {
  double cpu = 0.90;
  double memory = 0.90;
  double psi = 0.20;
  double disk = 0.90;
};

struct ReportInput {
  std::string title = "kpulse report";
  std::string source;                      // where the snapshots came from, shown in the header
  std::vector<model::Snapshot> snapshots;  // oldest first
  Thresholds thresholds;
  std::vector<Finding> alerts;  // from analytics (threshold bottlenecks are added by the report)
  std::vector<Note> patterns;
  std::vector<Note> forecasts;
  std::vector<ForecastChart> forecast_charts;  // drawn under the forecasts table
  std::vector<Note> recommendations;
  std::vector<Note> tuning;
  // The recorded CPU profile: busiest cgroups' hot functions, the stacks of
  // each CPU alert's cause during the incident.
  std::vector<Note> profile;
  // Damaged or skipped recording data ("file: offset N: reason"), shown in
  // the report so a gap is never silent.
  std::vector<std::string> data_warnings;
};

}  // namespace kpulse::report
