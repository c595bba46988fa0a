// `kpulse probes --cost`: what kpulse's BPF programs cost per event on this
// host right now, measured by the kernel's own run-time statistics.
#pragma once

#include "engine/collector.h"

namespace kpulse::cli {

// Turns BPF run-time statistics on for `seconds` (or until SIGINT/SIGTERM),
// then prints ns/event and events/s for every program of `collector`. The
// statistics are switched off again when this returns or the process dies.
// Returns a process exit code.
int run_probes_cost(const engine::Collector& collector, double seconds, bool json);

}  // namespace kpulse::cli
