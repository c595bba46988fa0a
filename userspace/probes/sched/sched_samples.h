// The sched group's kernel-side structs as model samples. Each takes the
// cumulative total and this interval's delta.
#pragma once

#include "model/listeners_exits.h"
#include "model/snapshot.h"
#include "probes/bpf_totals.h"

namespace kpulse::probes {

// A cgroup's run-queue latency histogram. Its on-CPU time, switches and
// faults are the kernel's (cgroupfs), not the sched group's.
void add_sched_samples(model::Component& c, const kp_sched_cgroup& total,
                       const kp_sched_cgroup& delta);
// An exited task as the model lists it (its cgroup's path resolved by the
// caller). `monotonic_to_wall_ns` (model/clock.h) puts the BPF's monotonic
// exit stamp on the snapshot's wall clock.
model::ExitedTask to_exited_task(const kp_exit_event& e, int64_t monotonic_to_wall_ns);

}  // namespace kpulse::probes
