// The sched group's kernel-side structs as model samples. Each takes the
// cumulative total and this interval's delta.
#pragma once

#include "model/listeners_exits.h"
#include "model/snapshot.h"
#include "probes/bpf_totals.h"

namespace kpulse::probes {

// On-CPU time and context switches: the fields kp_sched_cgroup and
// kp_sched_proc share.
template <class T>
void add_sched_counters(model::Component& c, const T& total, const T& delta) {
  using model::MetricId;
  c.set_counter(MetricId::SchedOncpuTime, double(total.oncpu_ns) * 1e-9,
                double(delta.oncpu_ns) * 1e-9);
  c.set_counter(MetricId::SchedVoluntarySwitches, double(total.voluntary), double(delta.voluntary));
  c.set_counter(MetricId::SchedInvoluntarySwitches, double(total.involuntary),
                double(delta.involuntary));
}

// A cgroup's: counters plus major faults and the run-queue latency histogram.
void add_sched_samples(model::Component& c, const kp_sched_cgroup& total,
                       const kp_sched_cgroup& delta);
// A process's: counters plus major faults.
void add_sched_process_samples(model::Component& c, const kp_sched_proc& total,
                               const kp_sched_proc& delta);
// `now - before` for a process's counters (its cgroup and name kept from `now`).
kp_sched_proc subtract_process(const kp_sched_proc& now, const kp_sched_proc& before);
// An exited task as the model lists it (its cgroup's path resolved by the caller).
model::ExitedTask to_exited_task(const kp_exit_event& e);

}  // namespace kpulse::probes
