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

// An interface deleted and created again under its name (a new ifindex), or a
// cgroup removed and made again under its path (a new id): whatever the new
// one counted falls in the interval, even when it is already past the old
// one's total (so the counter did not go backwards).
TEST(DeltaTracker, NewKernelIdUnderTheSameKeyRestartsFromItsValue) {
  DeltaTracker t;
  Component old_if = disk(1000, 5);
  old_if.kernel_id = 41;
  std::vector<Component> a{old_if};
  t.apply(a);
  Component new_if = disk(4000, 1);
  new_if.kernel_id = 42;
  std::vector<Component> b{new_if};
  t.apply(b);
  EXPECT_EQ(b[0].delta(MetricId::DiskReadOps), 4000);
  EXPECT_EQ(b[0].delta(MetricId::DiskBusyTime), 1);
  Component same = disk(4100, 1.5);
  same.kernel_id = 42;
  std::vector<Component> c{same};
  t.apply(c);
  EXPECT_EQ(c[0].delta(MetricId::DiskReadOps), 100);  // then differences again
}

TEST(DeltaTracker, UnknownKernelIdIsNoChange) {
  DeltaTracker t;
  Component known = disk(1000, 5);
  known.kernel_id = 41;
  std::vector<Component> a{known};
  t.apply(a);
  std::vector<Component> b{disk(1500, 5)};  // kernel_id 0: not known this time
  t.apply(b);
  EXPECT_EQ(b[0].delta(MetricId::DiskReadOps), 500);
  Component again = disk(1600, 5);
  again.kernel_id = 41;
  std::vector<Component> c{again};
  t.apply(c);
  EXPECT_EQ(c[0].delta(MetricId::DiskReadOps), 100);
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
