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
  d.sched.oncpu_ns = 999'000;  // just under 0.1% of a second
  d.sched.voluntary = 40;      // wakeups alone do not count
  d.sched.runq_latency.sum_ns = 9'000'000;
  d.sched.runq_latency.count = 40;
  d.net.tx_bytes = 1 << 20;  // nor network traffic (it moves no cgroupfs figure)
  EXPECT_FALSE(is_busy(d, 1.0));
}

TEST(CgroupBusy, RunningAboveTheBarIsBusyWaitingMovesOnlyTheCpuFigures) {
  probes::CgroupTotals run;
  run.sched.oncpu_ns = 1'000'000;
  EXPECT_TRUE(is_busy(run, 1.0));
  EXPECT_FALSE(is_busy(run, 2.0));  // the bar scales with the interval

  // Barely runs, waits a lot: its cpu.pressure matters, its memory does not move.
  probes::CgroupTotals starved;
  starved.sched.runq_latency.sum_ns = 10'000'000;
  EXPECT_FALSE(is_busy(starved, 1.0));
  ActivitySinceRead since;
  since.add(starved);
  EXPECT_EQ(activity_of(starved, since, 1.0), collect::CgroupActivity::CpuMoved);
  EXPECT_EQ(activity_of(run, since, 1.0), collect::CgroupActivity::Busy);
  EXPECT_EQ(activity_of({}, {}, 1.0), collect::CgroupActivity::Idle);
}

TEST(CgroupBusy, IoReclaimFaultsAndOomKillsAreBusy) {
  probes::CgroupTotals io;
  io.block.write_ops = 1;
  EXPECT_TRUE(is_busy(io, 1.0));
  probes::CgroupTotals reclaim;
  reclaim.mem.reclaim_events = 1;
  EXPECT_TRUE(is_busy(reclaim, 1.0));
  probes::CgroupTotals faults;
  faults.sched.major_faults = 1;
  EXPECT_TRUE(is_busy(faults, 1.0));
  probes::CgroupTotals oom;
  oom.mem.oom_kills = 1;
  EXPECT_TRUE(is_busy(oom, 1.0));
}

// Activity under the bar each interval adds up until it passes it: the
// cgroup's CPU figures are then read, having moved by about the bar.
TEST(CgroupBusy, SmallActivityAddsUpPastTheBar) {
  probes::CgroupTotals d;
  d.sched.oncpu_ns = 300'000;
  d.sched.runq_latency.sum_ns = 2'000'000;
  ActivitySinceRead since;
  int intervals = 0;
  while (!cpu_moved(since, 1.0) && intervals < 10) {
    since.add(d);
    ++intervals;
  }
  EXPECT_EQ(intervals, 4);  // 1.2 ms of CPU after 4 intervals, 0.9 ms after 3
  EXPECT_EQ(activity_of(d, since, 1.0), collect::CgroupActivity::CpuMoved);
  EXPECT_FALSE(cpu_moved(ActivitySinceRead{}, 1.0));
  ActivitySinceRead waited;
  for (int i = 0; i < 5; ++i) waited.add(d);  // 10 ms of waiting
  waited.oncpu_ns = 0;
  EXPECT_TRUE(cpu_moved(waited, 1.0));
}

TEST(CgroupStallQuiet, OnlyWithoutIoReclaimFaultsOrOomKillsAndWithEveryGroupWatching) {
  probes::BpfTotals t;
  t.sched = t.block = t.mem = true;
  probes::CgroupTotals d;
  d.sched.oncpu_ns = 500'000'000;  // running and waiting cause no memory or I/O stall
  d.sched.runq_latency.sum_ns = 100'000'000;
  EXPECT_TRUE(is_stall_quiet(t, d));
  probes::CgroupTotals io = d;
  io.block.read_ops = 1;
  EXPECT_FALSE(is_stall_quiet(t, io));
  probes::CgroupTotals reclaim = d;
  reclaim.mem.reclaim_events = 1;
  EXPECT_FALSE(is_stall_quiet(t, reclaim));
  probes::CgroupTotals faults = d;
  faults.sched.major_faults = 1;
  EXPECT_FALSE(is_stall_quiet(t, faults));
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

// BPF counts CPU time at switch-out: a CPU busy all interval without a switch
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

}  // namespace
}  // namespace kpulse::engine
