// The decisions of the SYN-backlog, core-buffer, block-queue and writeback
// tuners: when they act, which knob they pick, how far one step goes and
// that no step leaves the configured ceiling or the allowlist's hard bounds.
#include "tune/plans.h"

#include <gtest/gtest.h>

namespace kpulse::tune {
namespace {

TunerOptions opts() {
  TunerOptions o;
  o.step_fraction = 0.5;
  return o;
}

TEST(SynBacklogTuner, FollowsSomaxconnWhenListenersOverflow) {
  // SYN queue 128 under a 1024 accept-queue cap: half the distance.
  EXPECT_EQ(plan_syn_backlog(128, 1024, 50, 0, opts()), 576);
  // Already at somaxconn and no SYN drops: the accept queue is the limit.
  EXPECT_FALSE(plan_syn_backlog(1024, 1024, 50, 0, opts()));
  // No overflows and no drops: nothing to fix.
  EXPECT_FALSE(plan_syn_backlog(128, 1024, 0, 0, opts()));
  // The minimum step (128) is capped at the target.
  EXPECT_EQ(plan_syn_backlog(1000, 1024, 5, 0, opts()), 1024);
}

TEST(SynBacklogTuner, SynDropsAimAtTheCeilingNeverPastIt) {
  TunerOptions o = opts();
  o.syn_backlog_max = 2048;
  EXPECT_EQ(plan_syn_backlog(1024, 1024, 0, 10, o), 1536);
  EXPECT_EQ(plan_syn_backlog(2000, 1024, 0, 10, o), 2048);
  EXPECT_FALSE(plan_syn_backlog(2048, 1024, 0, 10, o));
  // A ceiling above the hard bound (65535) is clamped to it.
  o.syn_backlog_max = 1e9;
  EXPECT_EQ(plan_syn_backlog(65500, 128, 0, 1, o), 65535);
  EXPECT_FALSE(plan_syn_backlog(65535, 128, 0, 1, o));
}

TEST(CoreBufferTuner, RaisesTheCoreMaximumTowardTheTcpMaximum) {
  TunerOptions o = opts();
  o.tcp_buffer_max = 16.0 * 1024 * 1024;
  // rmem_max 4 MiB, tcp_rmem max 6 MiB: halfway, 5 MiB.
  EXPECT_EQ(plan_core_buffer(KnobKind::RmemMax, 4194304, 6291456, o), 5242880);
  // TCP maximum beyond the configured ceiling: the ceiling is the target.
  EXPECT_EQ(plan_core_buffer(KnobKind::WmemMax, 4194304, 33554432, o), 10485760);
  // Core already at or above the TCP maximum: nothing.
  EXPECT_FALSE(plan_core_buffer(KnobKind::RmemMax, 6291456, 6291456, o));
  EXPECT_FALSE(plan_core_buffer(KnobKind::RmemMax, 8388608, 6291456, o));
  // The minimum step (256 KiB) never overshoots the target.
  EXPECT_EQ(plan_core_buffer(KnobKind::RmemMax, 6291456 - 1000, 6291456, o), 6291456);
}

QueueState saturated() {
  QueueState q;
  q.scheduler = "mq-deadline";
  q.available = {"none", "mq-deadline", "kyber", "bfq"};
  q.rotational = true;
  q.nr_requests = 64;
  q.depth = 60;
  q.utilization = 0.99;
  return q;
}

TEST(BlockQueueTuner, RaisesNrRequestsOnASaturatedRotationalQueue) {
  TunerOptions o = opts();
  o.nr_requests_max = 1024;
  auto s = plan_block_queue(saturated(), o);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, KnobKind::NrRequests);
  EXPECT_EQ(s->raw, "544");  // 64 + (1024 - 64) / 2
  // Near the ceiling the minimum step (16) is capped at it.
  QueueState q = saturated();
  q.nr_requests = 1020;
  q.depth = 1000;
  EXPECT_EQ(plan_block_queue(q, o)->raw, "1024");
  q.nr_requests = 1024;
  EXPECT_FALSE(plan_block_queue(q, o));
  // A ceiling above the hard bound (4096) is clamped to it.
  o.nr_requests_max = 1e6;
  q.nr_requests = 4090;
  q.depth = 4000;
  EXPECT_EQ(plan_block_queue(q, o)->raw, "4096");
}

TEST(BlockQueueTuner, AQueueWithRoomOrAnIdleDeviceIsLeftAlone) {
  QueueState q = saturated();
  q.depth = 40;  // under 70% of 64
  EXPECT_FALSE(plan_block_queue(q, opts()));
  q = saturated();
  q.utilization = 0.3;
  EXPECT_FALSE(plan_block_queue(q, opts()));
}

TEST(BlockQueueTuner, PicksTheSchedulerByDeviceType) {
  QueueState q = saturated();
  q.scheduler = "none";
  auto s = plan_block_queue(q, opts());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, KnobKind::Scheduler);
  EXPECT_EQ(s->raw, "mq-deadline");
  // Only schedulers the device offers.
  q.available = {"none"};
  EXPECT_FALSE(plan_block_queue(q, opts()));
  // Non-rotational: the scheduler goes, nr_requests is not raised.
  q = saturated();
  q.rotational = false;
  s = plan_block_queue(q, opts());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, KnobKind::Scheduler);
  EXPECT_EQ(s->raw, "none");
  q.scheduler = "none";
  EXPECT_FALSE(plan_block_queue(q, opts()));
}

TEST(BlockQueueTuner, SchedulerReadsAsTheActiveName) {
  EXPECT_EQ(active_scheduler("none [mq-deadline] kyber bfq"), "mq-deadline");
  EXPECT_EQ(active_scheduler("[none] mq-deadline"), "none");
  EXPECT_EQ(active_scheduler("none"), "none");
  auto all = available_schedulers("none [mq-deadline] kyber");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1], "mq-deadline");
}

WritebackState stalled() {
  WritebackState w;
  w.background_ratio = 10;
  w.dirty_ratio = 20;
  w.available_bytes = 10e9;
  w.dirty_bytes = 1.5e9;  // 75% of the 2 GB limit
  w.writeback_bytes = 0.2e9;
  w.io_stall = 0.4;
  return w;
}

TEST(WritebackTuner, NothingUnlessEnabled) {
  TunerOptions o = opts();
  EXPECT_FALSE(o.writeback) << "host-wide tuning must default to off";
  EXPECT_FALSE(plan_writeback(stalled(), o));
}

TEST(WritebackTuner, LowersTheBackgroundRatioFirstThenRaisesTheLimit) {
  TunerOptions o = opts();
  o.writeback = true;
  o.dirty_background_min = 5;
  o.dirty_ratio_max = 40;
  auto s = plan_writeback(stalled(), o);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, KnobKind::DirtyBackgroundRatio);
  EXPECT_EQ(s->raw, "8");  // 10 - (10 - 5) / 2 = 7.5, rounded
  WritebackState w = stalled();
  w.background_ratio = 6;
  EXPECT_EQ(plan_writeback(w, o)->raw, "5");  // min step 1, floor 5
  w.background_ratio = 5;
  s = plan_writeback(w, o);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, KnobKind::DirtyRatio);
  EXPECT_EQ(s->raw, "30");  // 20 + (40 - 20) / 2
  w.dirty_ratio = 40;
  EXPECT_FALSE(plan_writeback(w, o));
  // A ceiling past the hard bound (80) is clamped to it.
  o.dirty_ratio_max = 500;
  w.dirty_ratio = 79;
  w.dirty_bytes = 6e9;  // still over half of the (larger) limit
  EXPECT_EQ(plan_writeback(w, o)->raw, "80");
}

TEST(WritebackTuner, TheBackgroundRatioStaysBelowTheLimit) {
  TunerOptions o = opts();
  o.writeback = true;
  o.dirty_background_min = 1;
  WritebackState w = stalled();
  w.background_ratio = 30;  // misconfigured above dirty_ratio 20
  auto s = plan_writeback(w, o);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->raw, "16");  // 30 - 14.5 = 15.5 → 16, under 20
  w.background_ratio = 50;
  EXPECT_EQ(plan_writeback(w, o)->raw, "19");  // 25.5 capped at dirty_ratio - 1
}

TEST(WritebackTuner, NeedsDirtyMemoryNearTheLimitAndStalls) {
  TunerOptions o = opts();
  o.writeback = true;
  WritebackState w = stalled();
  w.dirty_bytes = 0.5e9;  // 35% of the limit with writeback
  EXPECT_FALSE(plan_writeback(w, o));
  w = stalled();
  w.io_stall = 0.05;
  EXPECT_FALSE(plan_writeback(w, o));
  // Limits configured in bytes read as ratio 0: leave them alone.
  w = stalled();
  w.background_ratio = 0;
  EXPECT_FALSE(plan_writeback(w, o));
  w = stalled();
  w.dirty_ratio = 0;
  EXPECT_FALSE(plan_writeback(w, o));
}

TEST(CpuWeightTuner, TheKnobIsWhereVictimAndHogAreSiblings) {
  EXPECT_EQ(contending_sibling("/kp/v", "/kp/h"), "/kp/v");
  EXPECT_EQ(contending_sibling("/a/x", "/b/y"), "/a");
  EXPECT_EQ(contending_sibling("/a/x/1", "/a/y/2"), "/a/x");
  EXPECT_EQ(contending_sibling("/a", "/a/b"), "");
  EXPECT_EQ(contending_sibling("/a/b", "/a"), "");
}

TEST(CpuWeightTuner, CeilingsKeepTheRatioOnV1AndTheHardBounds) {
  TunerOptions o = opts();
  o.cpu_weight_max = 1000;
  EXPECT_EQ(cpu_weight_ceiling(KnobKind::CpuWeight, o), 1000);
  EXPECT_EQ(cpu_weight_ceiling(KnobKind::CpuShares, o), 10240);
  o.cpu_weight_max = 1e6;
  EXPECT_EQ(cpu_weight_ceiling(KnobKind::CpuWeight, o), 10000);
  EXPECT_EQ(cpu_weight_ceiling(KnobKind::CpuShares, o), 262144);
}

}  // namespace
}  // namespace kpulse::tune
