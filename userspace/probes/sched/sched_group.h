// The sched group: on-CPU time, context switches, major faults and
// run-queue latency per cgroup, process and CPU, and the tasks that exit.
#pragma once

#include "probes/probe_group.h"

namespace kpulse::probes {

GroupSpec sched_spec(const MapLimits& limits, bool per_process);

}  // namespace kpulse::probes
