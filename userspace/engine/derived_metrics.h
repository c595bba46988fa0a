// Gauges computed from this interval's deltas (utilizations, queue depth).
#pragma once

#include <vector>

#include "model/snapshot.h"

namespace kpulse::engine {

// Needs the counters' deltas filled in; `interval_s` <= 0 derives nothing.
void derive_metrics(std::vector<model::Component>& components, double interval_s);

}  // namespace kpulse::engine
