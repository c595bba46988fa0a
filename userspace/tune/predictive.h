// Predictive scaling: for a cgroup whose CPU use comes in periodic bursts,
// raise its CPU quota a little before the next predicted burst and put the
// original back once the burst should be over. Every raise is journaled on
// trial first, so a crash mid-burst is undone by the next start's recovery.
#pragma once

#include <deque>
#include <map>
#include <string>

#include "model/snapshot.h"
#include "tune/journal.h"
#include "tune/restore.h"

namespace kpulse::tune {

struct PredictiveOptions {
  std::string scope;        // cgroups whose path contains this; required
  double ceiling_cpus = 0;  // quota during a predicted burst; 0 = host CPUs
  int lead = 3;             // samples before the predicted onset to raise
  int min_period = 4;       // shortest period considered, in samples
  size_t history = 600;     // samples kept per cgroup
  std::string cgroup_root = "/sys/fs/cgroup";
};

class PredictiveCpuScaler {
 public:
  PredictiveCpuScaler(Journal& journal, PredictiveOptions options, LogFn log);
  void step(const model::Snapshot& s);
  // Puts back any raise still in force (on exit).
  void stop();

 private:
  struct State {
    std::deque<double> usage;  // CPUs per sample
    long index = -1;           // sample number of usage.back()
    bool boosted = false;
    Change change;
    long restore_at = 0;
    double threshold = 0;  // burst level: the raise stays while use is above it
  };
  void boost(const std::string& cgroup, State& st, long onset, double burst_len);
  void restore(State& st, const std::string& why);

  Journal& journal_;
  PredictiveOptions opt_;
  LogFn log_;
  std::map<std::string, State> cgroups_;
};

}  // namespace kpulse::tune
