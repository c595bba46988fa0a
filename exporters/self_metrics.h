// Puts the exporters' own counters into the snapshot (agent component), so a
// receiver that was down learns how much it missed once it is back.
#pragma once

#include "exporters/otlp_sender.h"
#include "model/snapshot.h"

namespace kpulse::exporters {

class SelfMetrics {
 public:
  // Sets self.export_dropped on the "kpulse" agent component (adding the
  // component when the collector did not), with the delta since the last call.
  void apply(model::Snapshot& snapshot, const ExportStats& stats);

 private:
  uint64_t last_lost_ = 0;
};

}  // namespace kpulse::exporters
