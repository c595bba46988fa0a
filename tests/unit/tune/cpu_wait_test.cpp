// The CPU-wait objective of the quota and weight tuners: a wait caused by a
// quota is on the run queue too, so it is counted once.
#include <cmath>

#include <gtest/gtest.h>

#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

// /app throttled for `throttled_s` and its tasks queued for `queued_ms` in
// total (100 waits) over a 2 s interval; queued_ms < 0: no delay measured.
model::Snapshot waits(double throttled_s, double queued_ms) {
  model::Snapshot s;
  s.interval_s = 2;
  model::Component c;
  c.kind = ComponentKind::Cgroup;
  c.id = "/app";
  c.set_counter(MetricId::CgCpuThrottledTime, 100 + throttled_s, throttled_s);
  if (queued_ms >= 0) {
    model::HistogramSample h;
    h.id = MetricId::SchedRunqLatency;
    for (int i = 0; i < 100; ++i) h.delta.record(static_cast<uint64_t>(queued_ms / 100 * 1e6));
    h.total = h.delta;
    c.histograms.push_back(h);
  }
  s.components.push_back(c);
  return s;
}

TEST(CpuWaitTest, AThrottledWaitIsCountedOnceNotAsThrottlingAndAgainAsQueueing) {
  // One thread throttled 1.6 s of 2: its run_delay grew by the same 1.6 s.
  EXPECT_NEAR(cpu_wait(waits(1.6, 1600), "/app"), 0.8, 0.01);
  // A raise that moves the throttling to a parent's quota (or leaves the
  // threads queued behind the one CPU they may use): the cgroup's own
  // throttled time goes, the wait stays. Before, 1.6 -> 0.8 s/s: a gain.
  EXPECT_NEAR(cpu_wait(waits(0, 1600), "/app"), 0.8, 0.01);
}

TEST(CpuWaitTest, ThrottledTimeStandsInWhenNoDelayIsMeasured) {
  EXPECT_NEAR(cpu_wait(waits(1.0, -1), "/app"), 0.5, 1e-9);
  EXPECT_TRUE(std::isnan(cpu_wait(waits(1.0, -1), "/other")));
}

}  // namespace
}  // namespace kpulse::tune
