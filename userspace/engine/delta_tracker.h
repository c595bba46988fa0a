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
  // recreated cgroup, a wrapped counter) restarts from its new value. So does every counter of a
  // component whose kernel_id changed under the same key (a cgroup removed and made again under
  // its path, an interface deleted and created again under its name): the new object was made
  // after the last call saw the old one, so all it counted falls in this interval, and its total
  // may already exceed the old one's (then going backwards cannot tell). A kernel_id of 0
  // (unknown) on either side is no change. Components absent from this call are forgotten.
  void apply(std::vector<model::Component>& components);

  [[nodiscard]] size_t tracked() const { return previous_.size(); }

  // Marks every counter of `c` as needing a delta (see apply()).
  static void mark_unknown(model::Component& c);

 private:
  // Kept across calls and updated in place: rebuilding the map each call
  // allocated a key and a vector per component (~1,500 at 1,000 cgroups).
  struct Previous {
    std::vector<model::Sample> counters;  // the last call's totals
    std::vector<model::Sample> fresh;     // this call's, swapped in at its end
    uint64_t seen = 0;                    // the last call that listed the key
    uint64_t kernel_id = 0;               // the last call's, to tell a new object under the key
    uint64_t fresh_kernel_id = 0;         // this call's, swapped in at its end
  };
  std::unordered_map<std::string, Previous> previous_;
  uint64_t calls_ = 0;
  std::string key_;  // reused for each component's key
};

}  // namespace kpulse::engine
