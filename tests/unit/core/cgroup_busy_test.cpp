// Which interval deltas make the engine re-read a cgroup's cgroupfs files now
// (is_busy) rather than every few intervals, and when BPF rules out memory
// and I/O stalls (is_stall_quiet).
#include <gtest/gtest.h>

#include "engine/cgroup_activity.h"

namespace kpulse::engine {
namespace {

TEST(CgroupBusy, NothingOrALittleRunningIsIdle) {
  probes::CgroupTotals d;
  EXPECT_FALSE(is_busy(d, 1.0));
  d.sched.runq_latency.sum_ns = 9'000'000;  // migrated waits only: just under 1% of a second
  d.net.tx_bytes = 1 << 20;                 // nor network traffic (it moves no cgroupfs figure)
  EXPECT_FALSE(is_busy(d, 1.0));
}

// BPF sees running as switch-ins and as a cgroup holding a CPU when read
// (it measures no short slice). Holding a CPU at an end of the
// interval (a CPU hog, switched in rarely) or 10 switch-ins per second is
// busy; a few wake-ups move the CPU figures only, as waiting does.
TEST(CgroupBusy, HeldOrOftenSwitchedInIsBusyWakingOrWaitingMovesOnlyTheCpuFigures) {
  probes::CgroupTotals hog;
  hog.cpus_held = 1;
  EXPECT_TRUE(is_busy(hog, 1.0));
  probes::CgroupTotals pool;
  pool.sched.runq_latency.count = 10;
  EXPECT_TRUE(is_busy(pool, 1.0));
  EXPECT_FALSE(is_busy(pool, 2.0));  // the bar scales with the interval

  probes::CgroupTotals woke;  // a timer waking twice: its memory does not move
  woke.sched.runq_latency.count = 2;
  EXPECT_FALSE(is_busy(woke, 1.0));
  ActivitySinceRead since;  // where BPF counts no slices, any running moves them
  since.add(woke, /*slices_known=*/false);
  EXPECT_EQ(activity_of(woke, since, 1.0), collect::CgroupActivity::CpuMoved);

  // Barely runs, waits a lot: its cpu.pressure matters, its memory does not move.
  probes::CgroupTotals starved;
  starved.sched.runq_latency.sum_ns = 10'000'000;
  EXPECT_FALSE(is_busy(starved, 1.0));
  ActivitySinceRead waited;
  waited.add(starved, /*slices_known=*/true);
  EXPECT_EQ(activity_of(starved, waited, 1.0), collect::CgroupActivity::CpuMoved);
  EXPECT_EQ(activity_of(hog, waited, 1.0), collect::CgroupActivity::Busy);
  EXPECT_EQ(activity_of({}, {}, 1.0), collect::CgroupActivity::Idle);
}

// A cgroup held at the previous read and not since still ran in the
// interval (until its task left the CPU): subtract keeps both ends.
TEST(CgroupBusy, HeldAtTheIntervalsStartCountsAsRunning) {
  probes::CgroupTotals before, now;
  before.cpus_held = 1;
  const probes::CgroupTotals d = subtract(now, before);
  EXPECT_TRUE(is_busy(d, 1.0));
  for (const bool slices_known : {false, true}) {
    ActivitySinceRead since;
    since.add(d, slices_known);
    EXPECT_TRUE(cpu_moved(since, 1.0)) << slices_known;
  }
}

TEST(CgroupBusy, IoReclaimAndOomKillsAreBusy) {
  probes::CgroupTotals io;
  io.block.write_ops = 1;
  EXPECT_TRUE(is_busy(io, 1.0));
  probes::CgroupTotals reclaim;
  reclaim.mem.reclaim_events = 1;
  EXPECT_TRUE(is_busy(reclaim, 1.0));
  probes::CgroupTotals oom;
  oom.mem.oom_kills = 1;
  EXPECT_TRUE(is_busy(oom, 1.0));
}

// Waits under the bar each interval add up until they pass it: the cgroup's
// CPU figures are then read, cpu.pressure having moved by about the bar.
// Where BPF does not measure slices (own wakeup stamps), running has no bar:
// any switch-in moves them.
TEST(CgroupBusy, SmallWaitsAddUpPastTheBarAnyRunningMovesTheCpuFigures) {
  probes::CgroupTotals d;
  d.sched.runq_latency.sum_ns = 3'000'000;  // migrated waits: no switch-in
  ActivitySinceRead since;
  int intervals = 0;
  while (!cpu_moved(since, 1.0) && intervals < 10) {
    since.add(d, /*slices_known=*/true);
    ++intervals;
  }
  EXPECT_EQ(intervals, 4);  // 12 ms of waiting after 4 intervals, 9 ms after 3
  EXPECT_EQ(activity_of(d, since, 1.0), collect::CgroupActivity::CpuMoved);
  EXPECT_FALSE(cpu_moved(ActivitySinceRead{}, 1.0));
  ActivitySinceRead once;
  probes::CgroupTotals one_switch_in;
  one_switch_in.sched.runq_latency.count = 1;
  once.add(one_switch_in, /*slices_known=*/false);
  EXPECT_TRUE(cpu_moved(once, 1.0));
}

// Where BPF measures the slices tasks end, a cgroup ran at most its long
// slices (1 ms or more) plus 1 ms per other switch-in: a timer waking a few
// times a second stays under 1% of the interval until those add up, while a
// burn (long slices) is read at once, however few its switch-ins.
TEST(CgroupBusy, ShortSwitchInsAddUpPastTheBarALongSliceMovesTheCpuFigures) {
  probes::CgroupTotals woke;  // 3 short switch-ins a second: at most 3 ms
  woke.sched.runq_latency.count = 3;
  ActivitySinceRead since;
  int intervals = 0;
  while (!cpu_moved(since, 1.0) && intervals < 10) {
    since.add(woke, /*slices_known=*/true);
    ++intervals;
  }
  EXPECT_EQ(since.ran_bound_ns(), 12'000'000u);
  EXPECT_EQ(intervals, 4);  // 12 ms bound after 4 intervals, 9 ms after 3
  EXPECT_EQ(activity_of(woke, since, 1.0), collect::CgroupActivity::CpuMoved);
  ActivitySinceRead at_first;
  at_first.add(woke, /*slices_known=*/true);
  EXPECT_EQ(activity_of(woke, at_first, 1.0), collect::CgroupActivity::Idle);
  // The same waking where one interval lacked slice counts: any running.
  at_first.add({}, /*slices_known=*/false);
  EXPECT_TRUE(cpu_moved(at_first, 1.0));

  // A 0.6 s burn in 5 s intervals, switched in 3 times: two long slices of
  // 300 ms, the third switch-in short.
  probes::CgroupTotals burn;
  burn.sched.runq_latency.count = 3;
  burn.sched.long_slices = 2;
  burn.sched.long_ran_ns = 600'000'000;
  ActivitySinceRead burned;
  burned.add(burn, /*slices_known=*/true);
  EXPECT_EQ(burned.ran_bound_ns(), 601'000'000u);
  EXPECT_TRUE(cpu_moved(burned, 5.0));
  EXPECT_TRUE(is_busy(burn, 5.0));  // a tenth of a CPU: its memory may move too
  EXPECT_FALSE(is_busy(burn, 10.0));
  EXPECT_EQ(activity_of(burn, burned, 10.0), collect::CgroupActivity::CpuMoved);

  // Long slices whose switch-ins fell before the last read: no short ones.
  probes::CgroupTotals ended;
  ended.sched.long_slices = 1;
  ended.sched.long_ran_ns = 2'000'000;
  ActivitySinceRead late;
  late.add(ended, /*slices_known=*/true);
  EXPECT_EQ(late.ran_bound_ns(), 2'000'000u);
  EXPECT_FALSE(cpu_moved(late, 1.0));
}

TEST(CgroupStallQuiet, OnlyWithoutIoReclaimOrOomKillsAndWithEveryGroupWatching) {
  probes::BpfTotals t;
  t.sched = t.block = t.mem = true;
  probes::CgroupTotals d;
  d.sched.runq_latency.count = 5000;  // running and waiting cause no memory or I/O stall
  d.sched.runq_latency.sum_ns = 100'000'000;
  EXPECT_TRUE(is_stall_quiet(t, d));
  probes::CgroupTotals io = d;
  io.block.read_ops = 1;
  EXPECT_FALSE(is_stall_quiet(t, io));
  probes::CgroupTotals reclaim = d;
  reclaim.mem.reclaim_events = 1;
  EXPECT_FALSE(is_stall_quiet(t, reclaim));
  probes::CgroupTotals oom = d;
  oom.mem.oom_kills = 1;
  EXPECT_FALSE(is_stall_quiet(t, oom));
  // A group not loaded sees nothing, so it cannot vouch for quiet.
  for (bool probes::BpfTotals::*group :
       {&probes::BpfTotals::sched, &probes::BpfTotals::block, &probes::BpfTotals::mem}) {
    probes::BpfTotals partial = t;
    partial.*group = false;
    EXPECT_FALSE(is_stall_quiet(partial, d));
  }
}

}  // namespace
}  // namespace kpulse::engine

namespace kpulse::engine {
namespace {

std::vector<model::Component> cpus_busy_for(std::initializer_list<double> user_s) {
  std::vector<model::Component> comps;
  int i = 0;
  for (double u : user_s) {
    model::Component c;
    c.kind = model::ComponentKind::Cpu;
    c.id = "cpu" + std::to_string(i++);
    c.set_counter(model::MetricId::CpuUser, u, 0);
    c.set_counter(model::MetricId::CpuNice, 0, 0);
    c.set_counter(model::MetricId::CpuSystem, 0, 0);
    comps.push_back(c);
  }
  return comps;
}

std::vector<kp_sched_cpu> switches(std::initializer_list<uint64_t> n) {
  std::vector<kp_sched_cpu> v;
  for (auto s : n) {
    kp_sched_cpu c{};
    c.switches = s;
    v.push_back(c);
  }
  return v;
}

// A CPU busy all interval without a switch and with no task BPF saw switched in
// hides a task's running, and BPF cannot then say any cgroup was idle.
TEST(SwitchCoverage, ACpuBusyWithoutASwitchIsNotCovered) {
  SwitchCoverage s;
  EXPECT_FALSE(s.update(cpus_busy_for({10, 10}), switches({100, 100}), 1.0)) << "first call";
  EXPECT_TRUE(s.update(cpus_busy_for({10.9, 10.1}), switches({150, 180}), 1.0));
  // cpu1 idle without a switch: nothing hidden.
  EXPECT_TRUE(s.update(cpus_busy_for({11.8, 10.1}), switches({200, 180}), 1.0));
  // cpu1 ran 0.9 s without a switch: a task ran unseen.
  EXPECT_FALSE(s.update(cpus_busy_for({12.7, 11.0}), switches({250, 180}), 1.0));
  // It switched again: covered.
  EXPECT_TRUE(s.update(cpus_busy_for({13.6, 11.9}), switches({300, 181}), 1.0));
}

// A CPU busy without a switch whose last switch-in BPF saw (the cgroup it
// holds is known) hides nothing: that cgroup counts as running at both ends.
TEST(SwitchCoverage, ACpuBusyWithoutASwitchButHoldingAKnownCgroupIsCovered) {
  SwitchCoverage s;
  auto held = switches({100, 100});
  held[1].running_cgroup = 42;
  EXPECT_FALSE(s.update(cpus_busy_for({10, 10}), held, 1.0)) << "first call";
  held[0].switches = 150;
  EXPECT_TRUE(s.update(cpus_busy_for({10.5, 11.0}), held, 1.0));
}

}  // namespace
}  // namespace kpulse::engine
