#include "tui/history.h"

#include <gtest/gtest.h>

namespace kpulse::tui {
namespace {

using model::MetricId;

model::Snapshot snap_with(double gauge, double counter_delta, bool with_cgroup = true) {
  model::Snapshot s;
  s.interval_s = 2;
  model::Component h;
  h.kind = model::ComponentKind::Host;
  h.id = "host";
  h.set_gauge(MetricId::HostLoad1, gauge);
  h.set_counter(MetricId::HostContextSwitches, 1e6, counter_delta);
  s.components.push_back(h);
  if (with_cgroup) {
    model::Component c;
    c.kind = model::ComponentKind::Cgroup;
    c.id = "/a";
    c.set_gauge(MetricId::CgMemCurrent, 1);
    s.components.push_back(c);
  }
  return s;
}

TEST(History, GaugesAsReadCountersAsRates) {
  History h(10);
  h.add(snap_with(1.5, 100));
  h.add(snap_with(2.5, 300));
  EXPECT_EQ(h.series("host:host", MetricId::HostLoad1), (std::vector<double>{1.5, 2.5}));
  EXPECT_EQ(h.series("host:host", MetricId::HostContextSwitches), (std::vector<double>{50, 150}));
  EXPECT_TRUE(h.series("host:host", MetricId::MemTotal).empty());
}

TEST(History, KeepsTheNewestValuesOldestFirst) {
  History h(3);
  for (int i = 1; i <= 5; ++i) h.add(snap_with(i, 0));
  EXPECT_EQ(h.series("host:host", MetricId::HostLoad1), (std::vector<double>{3, 4, 5}));
}

TEST(History, ForgetsComponentsThatDisappear) {
  History h;
  h.add(snap_with(1, 0));
  EXPECT_FALSE(h.metrics("cgroup:/a").empty());
  h.add(snap_with(1, 0, false));
  EXPECT_TRUE(h.metrics("cgroup:/a").empty());
  EXPECT_FALSE(h.metrics("host:host").empty());
}

}  // namespace
}  // namespace kpulse::tui
