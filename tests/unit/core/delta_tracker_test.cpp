#include "engine/delta_tracker.h"

#include <cmath>

#include <gtest/gtest.h>

namespace kpulse::engine {
namespace {

using model::Component;
using model::ComponentKind;
using model::MetricId;

Component disk(double reads, double busy_s) {
  Component c;
  c.kind = ComponentKind::Disk;
  c.id = "vda";
  c.set_counter(MetricId::DiskReadOps, reads, 0);
  c.set_counter(MetricId::DiskBusyTime, busy_s, 0);
  c.set_gauge(MetricId::BlkInflight, 3);
  DeltaTracker::mark_unknown(c);
  return c;
}

TEST(DeltaTracker, FirstSightIsZeroThenDifferences) {
  DeltaTracker t;
  std::vector<Component> a{disk(100, 1.0)};
  t.apply(a);
  EXPECT_EQ(a[0].delta(MetricId::DiskReadOps), 0);  // history before kpulse unknown
  std::vector<Component> b{disk(130, 1.25)};
  t.apply(b);
  EXPECT_EQ(b[0].delta(MetricId::DiskReadOps), 30);
  EXPECT_DOUBLE_EQ(b[0].delta(MetricId::DiskBusyTime), 0.25);
  EXPECT_EQ(b[0].value(MetricId::BlkInflight), 3);  // gauges untouched
}

TEST(DeltaTracker, CounterThatWentBackwardsRestartsFromItsValue) {
  DeltaTracker t;
  std::vector<Component> a{disk(1000, 5)};
  t.apply(a);
  std::vector<Component> b{disk(7, 5)};  // e.g. a device re-created
  t.apply(b);
  EXPECT_EQ(b[0].delta(MetricId::DiskReadOps), 7);
}

TEST(DeltaTracker, CountersWithTheirOwnDeltaAreLeftAlone) {
  DeltaTracker t;
  Component c;
  c.kind = ComponentKind::Cgroup;
  c.id = "/new";
  c.set_counter(MetricId::SchedOncpuTime, 2.0, 2.0);  // BPF: counted since attach
  std::vector<Component> a{c};
  t.apply(a);
  EXPECT_EQ(a[0].delta(MetricId::SchedOncpuTime), 2.0);
}

TEST(DeltaTracker, ForgetsComponentsThatDisappear) {
  DeltaTracker t;
  std::vector<Component> a{disk(10, 0)};
  t.apply(a);
  EXPECT_EQ(t.tracked(), 1u);
  std::vector<Component> none;
  t.apply(none);
  EXPECT_EQ(t.tracked(), 0u);
  std::vector<Component> back{disk(50, 0)};
  t.apply(back);
  EXPECT_EQ(back[0].delta(MetricId::DiskReadOps), 0);  // seen anew
}

}  // namespace
}  // namespace kpulse::engine
