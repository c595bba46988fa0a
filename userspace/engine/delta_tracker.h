// Turns cumulative counters read from the kernel (/proc, cgroupfs) into
// per-interval deltas by remembering each (component, metric)'s last total.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"

namespace kpulse::engine {

class DeltaTracker {
 public:
  // Sets `delta` of every counter sample whose delta is NaN ("unknown": read
  // from the kernel as a running total) from the previous call's total for the
  // same component key and metric; samples that already carry a delta (BPF
  // counters, which start at zero when kpulse attaches) are left alone. A counter seen for the
  // first time gets delta 0 (its history before kpulse is unknown); one that went backwards (a
  // recreated cgroup, a wrapped counter) restarts from its new value. Components absent from this
  // call are forgotten.
  void apply(std::vector<model::Component>& components);

  [[nodiscard]] size_t tracked() const { return previous_.size(); }

  // Marks every counter of `c` as needing a delta (see apply()).
  static void mark_unknown(model::Component& c);

 private:
  struct Previous {
    std::vector<model::Sample> counters;
  };
  std::unordered_map<std::string, Previous> previous_;
};

}  // namespace kpulse::engine
