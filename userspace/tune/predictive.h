// Predictive scaling: for a cgroup whose CPU use or memory comes in periodic
// peaks, raise its CPU quota (cpu.max / cfs_quota_us) or memory.high (v1:
// memory.limit_in_bytes) a little before the next peak the analytics
// forecaster predicts, and put the original back once the peak is over.
// Every raise is journaled on trial first, so a crash mid-peak is undone by
// the next start's recovery.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <utility>

#include "model/snapshot.h"
#include "tune/journal.h"
#include "tune/peak_forecast.h"
#include "tune/restore.h"
#include "tune/tuners.h"

namespace kpulse::tune {

struct PredictiveOptions {
  std::string scope;        // cgroups whose path contains this; required
  bool cpu = true;          // scale CPU quotas
  bool memory = true;       // scale memory.high / memory.limit_in_bytes
  double ceiling_cpus = 0;  // quota during a predicted burst; 0 = host CPUs
  // memory.high during a predicted peak: the memory_high tuner's ceiling
  // (tuner.memory_high_max, else memory.max, else host RAM / 2). The peak
  // itself is clipped at the limit, so its true size is unknown.
  TunerOptions tuner;
  int lead = 3;        // samples before the predicted onset to raise
  int min_period = 4;  // shortest period considered, in samples
  // A memory peak is worth a raise only when it reaches this share of the limit.
  double near_limit = 0.85;
  size_t history = 600;  // samples kept per cgroup and resource
  std::string cgroup_root = "/sys/fs/cgroup";
};

class PredictiveScaler {
 public:
  PredictiveScaler(Journal& journal, PredictiveOptions options, LogFn log);
  void step(const model::Snapshot& s);
  // Puts back any raise still in force (on exit).
  void stop();

 private:
  enum class Resource { Cpu, Memory };
  struct State {
    std::deque<double> values;  // CPUs or bytes per sample
    long index = -1;            // sample number of values.back()
    long next_forecast = 0;     // no need to forecast before this sample
    bool boosted = false;
    Change change;
    long restore_at = 0;
    long give_up_at = 0;   // memory only: lowered by then even if still high
    double threshold = 0;  // burst level: the raise stays while use is above it
    bool restore_failed = false;
  };
  void observe(const model::Snapshot& s, const model::Component& c, Resource r, double value,
               double limit);
  bool raise(const model::Snapshot& s, const model::Component& c, Resource r, State& st,
             const PredictedPeak& p, long onset);
  bool cpu_target(const std::string& cgroup, Change& c) const;
  bool memory_target(const model::Snapshot& s, const model::Component& comp, Change& c) const;
  void restore(State& st, const std::string& why);

  Journal& journal_;
  PredictiveOptions opt_;
  LogFn log_;
  std::map<std::pair<std::string, Resource>, State> states_;
};

}  // namespace kpulse::tune
