// What a tuner proposes: a scenario seen, the evidence, one knob step and the
// objective that decides whether the step stays.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "tune/knob.h"

namespace kpulse::tune {

// The measure an experiment is judged by, sampled once per snapshot.
struct Objective {
  std::string name;  // "cgroup /kp cpu.usage (CPU)"
  bool higher_is_better = true;
  // Pure functions of the snapshot let the baseline come from history;
  // otherwise the tuner supplies the baseline it observed.
  std::function<double(const model::Snapshot&)> sample;
};

struct Proposal {
  std::string scenario;  // "cpu_throttled_idle_host"
  Knob knob;
  std::string netns_name;  // for netns knobs
  std::string current_raw, proposed_raw;
  std::string evidence;       // numbers that made the tuner act
  std::string expected_gain;  // what should improve, by roughly how much
  std::string note;           // caveats ("takes effect when the listener re-listens")
  Objective objective;
  std::vector<double> baseline;  // filled by tuners whose objective is not pure
  int settle_intervals = 1;      // samples to ignore right after the write
};

}  // namespace kpulse::tune
