// A synthetic host for the recording size benchmark, shaped like what the
// collector emits (metric sets per component kind from the catalog) with
// kernel-like values: integer byte and event counters, nanosecond CPU
// times, page-sized memory, computed utilisation ratios. A configurable
// share of processes and cgroups is active each interval; the rest keep
// their values, as idle tasks do.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "model/snapshot.h"

namespace kpulse::bench {

struct BusyHostOptions {
  int cpus = 16;
  int cgroups = 500;
  int processes = 5000;
  int disks = 4;
  int interfaces = 4;
  double active_processes = 0.10;  // share changing each interval
  double active_cgroups = 0.30;
  uint64_t seed = 7;
};

class BusyHost {
 public:
  explicit BusyHost(BusyHostOptions o);
  // The next 1 s snapshot.
  model::Snapshot next();

 private:
  struct Series {
    model::MetricId id;
    model::MetricType type;
    model::Unit unit;
    double value = 0;
  };
  struct Comp {
    model::Component meta;
    std::vector<Series> series;
    std::vector<model::HistogramSample> hist;
    double activity = 1;  // probability of changing in an interval
  };
  void add(model::ComponentKind kind, std::string id, std::string parent, double activity);

  BusyHostOptions o_;
  std::mt19937_64 rng_;
  std::vector<Comp> comps_;
  uint64_t seq_ = 0;
};

}  // namespace kpulse::bench
