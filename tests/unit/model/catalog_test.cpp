#include "model/metric_catalog.h"
#include "model/snapshot.h"

#include <cmath>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace kpulse::model {
namespace {

TEST(MetricCatalog, NamesAreUniqueAndIdsIndexTheTable) {
  std::set<std::string> names;
  size_t i = 0;
  for (const auto& m : all_metrics()) {
    EXPECT_EQ(static_cast<size_t>(m.id), i++) << m.name;
    EXPECT_TRUE(names.insert(std::string(m.name)).second) << "duplicate " << m.name;
    EXPECT_NE(m.scopes, 0u) << m.name;
    EXPECT_FALSE(m.help.empty()) << m.name;
  }
  EXPECT_EQ(all_metrics().size(), metric_count());
}

TEST(MetricCatalog, LookupByName) {
  auto id = metric_by_name("sched.runq_latency");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(info(*id).type, MetricType::Histogram);
  EXPECT_FALSE(metric_by_name("no.such.metric").has_value());
}

TEST(Component, CountersAndGaugesAreFoundAndUpdated) {
  Component c;
  c.kind = ComponentKind::Cgroup;
  c.id = "/a/b";
  c.set_counter(MetricId::SchedOncpuTime, 10, 1);
  c.set_counter(MetricId::SchedOncpuTime, 12, 2);
  c.set_gauge(MetricId::CgMemCurrent, 4096);
  EXPECT_EQ(c.samples.size(), 2u);
  EXPECT_EQ(c.value(MetricId::SchedOncpuTime), 12);
  EXPECT_EQ(c.delta(MetricId::SchedOncpuTime), 2);
  EXPECT_TRUE(std::isnan(c.value(MetricId::CgMemMax)));
  EXPECT_EQ(c.key(), "cgroup:/a/b");
}

}  // namespace
}  // namespace kpulse::model
