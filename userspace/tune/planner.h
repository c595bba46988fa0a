// The tuners' proposals over a sliding window of snapshots, without acting
// on them: the plan `kpulse tune` prints and what the daemon's dry run logs.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "model/snapshot.h"
#include "tune/proposal.h"
#include "tune/tuners.h"

namespace kpulse::tune {

class Planner {
 public:
  // `window`: snapshots the tuners may look back over (their rates need two).
  Planner(std::vector<std::unique_ptr<Tuner>> tuners, TunerOptions options, size_t window);
  // Adds the snapshot; returns this interval's proposals whose knob key
  // contains options.scope (all when it is empty), reconciled (reconcile.h).
  std::vector<Proposal> step(model::Snapshot snapshot);
  // The plan over every step so far: the latest proposal per knob,
  // reconciled again (three intervals may each have raised another sibling).
  [[nodiscard]] std::vector<Proposal> plan() const;

 private:
  std::vector<std::unique_ptr<Tuner>> tuners_;
  TunerOptions options_;
  size_t window_;
  std::deque<model::Snapshot> history_;
  std::vector<Proposal> seen_;  // every step's proposals, in order
};

}  // namespace kpulse::tune
