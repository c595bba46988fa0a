// Arithmetic on per-cgroup BPF totals (every group's part at once), and what
// an interval's delta says of a cgroup's activity.
#pragma once

#include "probes/bpf_totals.h"

namespace kpulse::engine {

// Component-wise `a += b` over every group.
void accumulate(probes::CgroupTotals& a, const probes::CgroupTotals& b);
// `now - before` over every group, field by field, saturating at 0.
probes::CgroupTotals subtract(const probes::CgroupTotals& now, const probes::CgroupTotals& before);

// Whether an interval's delta `d` shows a cgroup busy enough for its
// cgroupfs counters to be worth re-reading now: its tasks got a CPU at all
// (the sched group's switch-ins; BPF no longer counts on-CPU time, the
// kernel's cpu.stat does: a lone CPU hog is switched in rarely, so no rate
// bar is safe), or waited in run queues
// for 1% of it (a starved cgroup waits rather than runs; below that its
// cpu.pressure "some" is under 1% too), or it did block I/O (a major fault
// is one), memcg reclaim or had an OOM kill. Otherwise its CPU, memory and PSI figures barely move,
// and the engine re-reads them every few intervals only (CgroupStatsOptions).
// Under host load every woken task waits a while, hence the higher bar for
// waiting than for running.
bool is_busy(const probes::CgroupTotals& d, double interval_s);
// Whether BPF saw no cause of a memory or I/O stall in a cgroup's interval
// delta `d`: no block I/O (major faults included), reclaim (direct or
// memcg) or OOM kill. Needs the sched, block and mem groups active (`t`): without one of
// them BPF cannot tell. The engine then re-reads the cgroup's
// memory.pressure and io.pressure less often (CgroupStatsOptions).
bool is_stall_quiet(const probes::BpfTotals& t, const probes::CgroupTotals& d);

}  // namespace kpulse::engine
