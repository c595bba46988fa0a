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
  // Which row of the diagnosis table this is (docs/tuning.md): "quota
  // throttling", "contention with siblings", "host saturation", "memory limit
  // pressure", "device saturation", ...; printed with the evidence.
  std::string diagnosis;
  std::string evidence;       // numbers that made the tuner act
  std::string expected_gain;  // what should improve, by how much (a number from the measurement)
  // How bad it is, in the tuner's own unit (a wait, a share): when proposals
  // compete for one resource, the reconciliation keeps the worst case.
  double severity = 0;
  // Shown in the plan, never applied: the remedy is outside what kpulse may
  // write, or would take from the neighbours (e.g. more quota on a saturated host).
  bool advice_only = false;
  std::string note;  // caveats ("takes effect when the listener re-listens")
  Objective objective;
  std::vector<double> baseline;  // filled by tuners whose objective is not pure
  int settle_intervals = 1;      // samples to ignore right after the write
  // The step reaches the tuner's ceiling: no further step can follow it, so a
  // walk toward the ceiling (controller.h) ends with it.
  bool at_ceiling = false;
};

}  // namespace kpulse::tune
