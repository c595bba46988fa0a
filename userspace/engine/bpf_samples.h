// Converts the kernel-side structs (bpf/kpulse_types.h) into model samples.
// Each takes the cumulative total and this interval's delta.
#pragma once

#include "model/snapshot.h"
#include "probes/bpf_totals.h"

namespace kpulse::engine {

model::Log2Histogram to_histogram(const struct kp_hist& h);

// `now - before`, field by field, saturating at 0 (for u64-only structs).
template <class T>
T subtract_u64_fields(const T& now, const T& before) {
  return probes::combine_u64_fields(now, before,
                                    [](__u64 n, __u64 b) { return n >= b ? n - b : n; });
}

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

// Counters plus major faults and the run-queue latency histogram.
void add_sched_samples(model::Component& c, const kp_sched_cgroup& total,
                       const kp_sched_cgroup& delta);
// Ops, bytes and errors (no histograms).
void add_block_counters(model::Component& c, const kp_block_stats& total,
                        const kp_block_stats& delta);
void add_block_samples(model::Component& c, const kp_block_stats& total,
                       const kp_block_stats& delta);
void add_net_samples(model::Component& c, const kp_net_cgroup& total, const kp_net_cgroup& delta);
void add_mem_samples(model::Component& c, const kp_mem_cgroup& total, const kp_mem_cgroup& delta);
void add_histogram(model::Component& c, model::MetricId id, const kp_hist& total,
                   const kp_hist& delta);

// Adds every group's samples that `totals` has data for.
void add_cgroup_samples(model::Component& c, const probes::CgroupTotals& total,
                        const probes::CgroupTotals& delta);

// Component-wise `a += b` over every group.
void accumulate(probes::CgroupTotals& a, const probes::CgroupTotals& b);
// Whether an interval's delta `d` shows a cgroup busy enough for its
// cgroupfs counters to be worth re-reading now: its tasks ran for at least
// 0.1% of the interval (1 ms at 1 s), or waited in run queues for 1% of it
// (a starved cgroup waits rather than runs; below that its cpu.pressure
// "some" is under 1% too), or it did block I/O, memcg reclaim, major faults
// or had an OOM kill. Otherwise its CPU, memory and PSI figures barely move,
// and the engine re-reads them every few intervals only (CgroupStatsOptions).
// Under host load every woken task waits a while, hence the higher bar for
// waiting than for running.
bool is_busy(const probes::CgroupTotals& d, double interval_s);
// Whether BPF saw no cause of a memory or I/O stall in a cgroup's interval
// delta `d`: no block I/O, reclaim (direct or memcg), major fault or OOM
// kill. Needs the sched, block and mem groups active (`t`): without one of
// them BPF cannot tell. The engine then re-reads the cgroup's
// memory.pressure and io.pressure less often (CgroupStatsOptions).
bool is_stall_quiet(const probes::BpfTotals& t, const probes::CgroupTotals& d);
probes::CgroupTotals subtract(const probes::CgroupTotals& now, const probes::CgroupTotals& before);

}  // namespace kpulse::engine
