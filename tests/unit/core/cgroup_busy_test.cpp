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

TEST(CgroupBusy, RunningOrWaitingAboveTheBarIsBusy) {
  probes::CgroupTotals run;
  run.sched.runq_latency.count = 1;  // its tasks got a CPU
  EXPECT_TRUE(is_busy(run, 1.0));

  probes::CgroupTotals starved;  // barely runs, waits a lot: its pressure matters
  starved.sched.runq_latency.sum_ns = 10'000'000;
  EXPECT_TRUE(is_busy(starved, 1.0));
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
