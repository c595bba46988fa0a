// Predictive scaling: for a cgroup whose CPU use or memory comes in periodic
// peaks, raise its CPU quota (cpu.max / cfs_quota_us) or memory.high (v1:
// memory.limit_in_bytes) a little before the next peak the analytics
// forecaster predicts, and put the original back once the peak is over.
// Every raise is journaled on trial first, so a crash mid-peak is undone by
// the next start's recovery.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "model/snapshot.h"
#include "tune/burst_phase.h"
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
  // One past burst, as observed: when it began, how much it wanted at its
  // highest, whether the limit clipped it (then its true size is unknown).
  struct Burst {
    double onset = 0;  // seconds on the scaler's clock: start of the sample it was seen in
    double peak = 0;
    int length = 0;
    bool clipped = false;
  };
  struct State {
    std::deque<double> values;  // CPU demand (used + throttled) or bytes per sample
    long index = -1;            // sample number of values.back()
    double clock = 0;           // seconds of samples seen: measured intervals, not their count
    double interval = 1;        // the latest sample's length
    long next_forecast = 0;     // no need to forecast before this sample
    bool boosted = false;
    Change change;
    long restore_at = 0;
    long give_up_at = 0;   // lowered by then: memory still high, or a burst that never came
    double threshold = 0;  // burst level: the raise stays while use is above it
    bool restore_failed = false;
    // CPU: bursts seen so far and the one in progress, from the demand series.
    std::deque<Burst> bursts;
    bool in_burst = false;
    Burst current;
    double quiet_level = 0;   // demand at or below this is the baseline
    double quiet_wait = 0;    // the cgroup's CPU wait (s/s) between bursts, smoothed
    bool seen_burst = false;  // since the raise
    int quiet_run = 0;        // consecutive baseline samples since the burst
    long bursts_seen = 0;     // every burst that ended, the deque keeps the last few
    long raised_for = -1;     // bursts_seen at the last raise from their onsets
    double give_up_time = 0;  // clock by which a burst raised for must have begun
  };
  void observe(const model::Snapshot& s, const model::Component& c, Resource r, double value,
               double limit, double wait = 0, bool clipped = false);
  void track_bursts(State& st, double value, double wait, bool clipped);
  // CPU: lowers the raise once the burst's demand has ended; true while raised.
  bool hold_cpu_raise(State& st, double value, double wait);
  // CPU: when the next burst comes, from the onsets of past bursts; nullopt
  // when they are too few or too irregular to tell.
  std::optional<BurstPhase> phase_from_bursts(const State& st) const;
  bool raise(const model::Snapshot& s, const model::Component& c, Resource r, State& st,
             const std::string& why);
  bool cpu_target(const std::string& cgroup, const State& st, Change& c) const;
  bool memory_target(const model::Snapshot& s, const model::Component& comp, Change& c) const;
  void restore(State& st, const std::string& why);

  Journal& journal_;
  PredictiveOptions opt_;
  LogFn log_;
  std::map<std::pair<std::string, Resource>, State> states_;
};

}  // namespace kpulse::tune
