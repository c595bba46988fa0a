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
// cgroupfs figures to be worth re-reading now: its tasks held a CPU at
// either end of the interval, got one at least 10 times per second of it or
// ran slices of 1 ms or more for a tenth of it, or it did block I/O (a major
// fault is one), memcg reclaim or had an OOM kill. Tasks that barely run
// barely move its memory, pids and I/O figures, which the engine then
// re-reads every few intervals only (CgroupStatsOptions). BPF does not
// measure all on-CPU time (the kernel keeps it in cpu.stat): what it sees of
// running is switch-ins, long slices and who holds each CPU when read. A
// cgroup caught on a CPU at an instant tends to be one that runs a lot (a
// lone CPU hog is switched in rarely but is always caught); 10 switch-ins a
// second is a pool that serves work, not a timer waking.
bool is_busy(const probes::CgroupTotals& d, double interval_s);

// What BPF saw a cgroup's tasks (and its descendants') run and wait over
// several intervals: since its cgroupfs CPU figures were last read, which is
// how far those (usage, cpu.pressure) can have moved meanwhile.
struct ActivitySinceRead {
  uint64_t ran = 0;             // switch-ins, plus CPUs held at interval ends
  uint64_t held = 0;            // CPUs held at interval ends
  uint64_t long_ran_ns = 0;     // slices of KP_LONG_SLICE_NS or more ended
  uint64_t long_slices = 0;     // how many
  uint64_t waited_ns = 0;       // in run queues
  bool slices_unknown = false;  // an interval without long-slice counts
  // `slices_known`: BPF counted long slices in `d` (BpfTotals::sched_slices).
  void add(const probes::CgroupTotals& d, bool slices_known);
  // At most how long the tasks ran: the long slices, and KP_LONG_SLICE_NS
  // for each other switch-in or CPU held. Meaningless if slices_unknown.
  [[nodiscard]] uint64_t ran_bound_ns() const;
};
// Whether the CPU figures moved enough to be read now: the tasks held a CPU
// at a read or ran for 1% of one interval of `interval_s` (ran_bound_ns;
// where BPF counts no slices, ran at all), or waited in run queues that long (a starved cgroup
// waits rather than runs; below that its cpu.pressure "some" moved by under 1% of an interval).
// Below the bar, its usage moved by under 1% of a CPU for one interval.
bool cpu_moved(const ActivitySinceRead& a, double interval_s);
// Whether `waited_ns` of run-queue waiting (BPF's, since a cgroup's
// cpu.pressure was last read) stays under the same bar, 1% of an interval of
// `interval_s`: its pressure totals then moved by less, and a calm reading
// stands (CgroupStatsReader::read's cpu_wait_quiet).
bool waits_quiet(uint64_t waited_ns, double interval_s);
// What the reader is told of a cgroup BPF watches: Busy (is_busy), else
// CpuMoved (cpu_moved over `since`, which includes `d`), else Idle.
collect::CgroupActivity activity_of(const probes::CgroupTotals& d, const ActivitySinceRead& since,
                                    double interval_s);
// Whether BPF saw no cause of a memory or I/O stall in a cgroup's interval
// delta `d`: no block I/O (major faults included), reclaim (direct or
// memcg) or OOM kill. Needs the sched, block and mem groups active (`t`): without one of
// them BPF cannot tell. The engine then re-reads the cgroup's
// memory.pressure and io.pressure less often (CgroupStatsOptions).
bool is_stall_quiet(const probes::BpfTotals& t, const probes::CgroupTotals& d);

// Whether BPF saw all of an interval's running. It sees a cgroup run by its
// tasks' switch-ins and by the cgroup holding a CPU when read
// (kp_sched_cpu.running_cgroup). A CPU that ran tasks half the interval
// without a switch while BPF knows of no task on it (one running since
// before the programs loaded, which nothing switched in since) hides that
// time: BPF cannot then vouch that any cgroup was idle. A lone spinner BPF
// saw switched in is held at both ends of the interval, so it is seen.
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
