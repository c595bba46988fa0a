// What an HTML report is made of: the snapshots of the period, plus the
// findings other parts of kpulse produced about it. Analytics, forecasting
// and the tuner fill the finding lists when they are part of the build; an
// empty list renders as "none recorded".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/snapshot.h"

namespace kpulse::report {

// An alert or a detected bottleneck over a time span.
struct Finding {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::string severity;  // "critical", "warning", "info"
  std::string resource;  // "cpu", "memory", "psi", "disk", "network", "cgroup"
  std::string source;    // "threshold", "analytics", ...
  std::string message;
};

// A line for the patterns, forecasts, recommendations and tuning sections.
struct Note {
  int64_t time_ns = 0;  // 0: not tied to an instant
  std::string title;
  std::string detail;
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
  std::vector<Note> recommendations;
  std::vector<Note> tuning;
};

}  // namespace kpulse::report
