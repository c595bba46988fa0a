// The sched group: on-CPU time, context switches, major faults and
// run-queue latency per cgroup, process and CPU, and the tasks that exit.
#pragma once

#include "probes/probe_group.h"

namespace kpulse::probes {

GroupSpec sched_spec(const MapLimits& limits, bool per_process);
// Whether sched_switch measures the slices tasks end (kp_sched_cgroup's
// long_ran_ns and long_slices): it reads the kernel's run-queue stamps.
bool sched_slices_known(const KernelFeatures& f);

}  // namespace kpulse::probes
