// Arithmetic on per-cgroup BPF totals (every group's part at once), and what
// an interval's delta says of a cgroup's activity.
#pragma once

#include <cstdint>
#include <vector>

#include "collect/cgroup_stats.h"
#include "model/snapshot.h"
#include "probes/bpf_totals.h"

namespace kpulse::engine {

// Component-wise `a += b` over every group.
void accumulate(probes::CgroupTotals& a, const probes::CgroupTotals& b);
// `now - before` over every group, field by field, saturating at 0.
probes::CgroupTotals subtract(const probes::CgroupTotals& now, const probes::CgroupTotals& before);

// Whether an interval's delta `d` shows a cgroup busy enough for all its
// cgroupfs figures to be worth re-reading now: its tasks ran for at least
// 0.1% of the interval (1 ms at 1 s), or did block I/O, memcg reclaim, major
// faults or had an OOM kill. Tasks that barely run barely move its memory,
// pids and I/O figures, which the engine then re-reads every few intervals
// only (CgroupStatsOptions).
bool is_busy(const probes::CgroupTotals& d, double interval_s);

// What BPF saw a cgroup's tasks (and its descendants') run and wait over
// several intervals: since its cgroupfs CPU figures were last read, which is
// how far those (usage, cpu.pressure) can have moved meanwhile.
struct ActivitySinceRead {
  uint64_t oncpu_ns = 0;
  uint64_t waited_ns = 0;  // in run queues
  void add(const probes::CgroupTotals& d);
};
// Whether the CPU figures moved enough to be read now: the tasks ran for
// 0.1% of one interval of `interval_s` since the last read, or waited in run
// queues for 1% of it (a starved cgroup waits rather than runs; below that
// its cpu.pressure "some" moved by under 1% of an interval). Under host load
// every woken task waits a while, hence the higher bar for waiting.
bool cpu_moved(const ActivitySinceRead& a, double interval_s);
// What the reader is told of a cgroup BPF watches: Busy (is_busy), else
// CpuMoved (cpu_moved over `since`, which includes `d`), else Idle.
collect::CgroupActivity activity_of(const probes::CgroupTotals& d, const ActivitySinceRead& since,
                                    double interval_s);
// Whether BPF saw no cause of a memory or I/O stall in a cgroup's interval
// delta `d`: no block I/O, reclaim (direct or memcg), major fault or OOM
// kill. Needs the sched, block and mem groups active (`t`): without one of
// them BPF cannot tell. The engine then re-reads the cgroup's
// memory.pressure and io.pressure less often (CgroupStatsOptions).
bool is_stall_quiet(const probes::BpfTotals& t, const probes::CgroupTotals& d);

// Whether BPF saw all of an interval's running. It counts a task's CPU time
// when the task is switched out, so a CPU that ran one task the whole
// interval without a switch (a lone spinning task on an otherwise idle CPU)
// hides that time: BPF cannot then vouch that any cgroup was idle.
class SwitchCoverage {
 public:
  // `comps`: this interval's components, whose Cpu ones carry /proc/stat's
  // cumulative times; `bpf_cpus`: BPF's cumulative per-CPU counts. False
  // when a CPU spent at least half of `interval_s` running tasks without a
  // single switch, and on the first call (nothing to compare with).
  bool update(const std::vector<model::Component>& comps, const std::vector<kp_sched_cpu>& bpf_cpus,
              double interval_s);

 private:
  std::vector<uint64_t> switches_;
  std::vector<double> busy_s_;  // user + nice + system time, by CPU
};

}  // namespace kpulse::engine
