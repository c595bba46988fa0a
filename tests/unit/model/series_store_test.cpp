#include "model/series_store.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kpulse::model {
namespace {

// Keeps every point it is given.
struct AllPoints {
  std::vector<SeriesPoint> points;
  void append(int64_t time_ns, double value) { points.push_back({time_ns, value}); }
};

Snapshot snapshot(int64_t time_ns, double interval_s, bool with_cgroup) {
  Snapshot s;
  s.time_ns = time_ns;
  s.interval_s = interval_s;
  Component host;
  host.kind = ComponentKind::Host;
  host.id = "host";
  host.set_gauge(MetricId::HostLoad1, 0.5);
  host.set_counter(MetricId::HostContextSwitches, 1e6, 300);
  HistogramSample h;
  h.id = MetricId::SchedRunqLatency;
  h.delta.record(1000);
  host.histograms.push_back(h);
  s.components.push_back(host);
  if (with_cgroup) {
    Component cg;
    cg.kind = ComponentKind::Cgroup;
    cg.id = "/a";
    cg.set_gauge(MetricId::CgMemCurrent, 4096);
    s.components.push_back(cg);
  }
  return s;
}

SeriesStore<AllPoints> store(size_t max_series, SeriesSelection sel) {
  return SeriesStore<AllPoints>([] { return AllPoints{}; }, max_series, sel);
}

TEST(SeriesStore, ReadsCountersAsRatesThroughTheCatalog) {
  auto st = store(100, {});
  st.ingest(snapshot(7, 2.0, true));
  const AllPoints* cs = st.find("host:host", MetricId::HostContextSwitches);
  ASSERT_NE(cs, nullptr);
  ASSERT_EQ(cs->points.size(), 1u);
  EXPECT_EQ(cs->points[0].time_ns, 7);
  EXPECT_DOUBLE_EQ(cs->points[0].value, 150.0);  // 300 over 2 s
  EXPECT_EQ(st.find("host:host", "host.load.1m"), st.find("host:host", MetricId::HostLoad1));
  EXPECT_EQ(st.find("host:host", "sched.runq_latency:p50"), nullptr);  // quantiles not selected
  EXPECT_EQ(st.metrics("host:host"),
            (std::vector<MetricId>{std::min(MetricId::HostLoad1, MetricId::HostContextSwitches),
                                   std::max(MetricId::HostLoad1, MetricId::HostContextSwitches)}));
}

TEST(SeriesStore, CountersWithoutAnIntervalAreSkippedOrNaN) {
  auto skip = store(100, {});
  skip.ingest(snapshot(1, 0, false));
  EXPECT_EQ(skip.find("host:host", MetricId::HostContextSwitches), nullptr);
  auto keep = store(100, {.counters_need_interval = false});
  keep.ingest(snapshot(1, 0, false));
  const AllPoints* cs = keep.find("host:host", MetricId::HostContextSwitches);
  ASSERT_NE(cs, nullptr);
  EXPECT_TRUE(std::isnan(cs->points.at(0).value));
}

TEST(SeriesStore, ForgetsGoneComponentsAndReusesTheirSlots) {
  auto st = store(3, {.forget_gone = true});
  st.ingest(snapshot(1, 1, true));
  EXPECT_EQ(st.series_count(), 3u);
  EXPECT_NE(st.find("cgroup:/a", MetricId::CgMemCurrent), nullptr);
  st.ingest(snapshot(2, 1, false));
  EXPECT_EQ(st.series_count(), 2u);
  EXPECT_EQ(st.find("cgroup:/a", MetricId::CgMemCurrent), nullptr);
  EXPECT_TRUE(st.metrics("cgroup:/a").empty());
  // Back again: a fresh series in the freed slot, without the old points.
  st.ingest(snapshot(3, 1, true));
  EXPECT_EQ(st.series_count(), 3u);
  EXPECT_EQ(st.dropped_series(), 0u);
  ASSERT_NE(st.find("cgroup:/a", MetricId::CgMemCurrent), nullptr);
  EXPECT_EQ(st.find("cgroup:/a", MetricId::CgMemCurrent)->points.size(), 1u);
  EXPECT_EQ(st.find("host:host", MetricId::HostLoad1)->points.size(), 3u);
}

TEST(SeriesStore, CapRefusesAndCountsNewSeries) {
  auto st = store(2, {.quantiles = true});
  st.ingest(snapshot(1, 1, true));  // load, switches, p50, p99, cgroup memory
  EXPECT_EQ(st.series_count(), 2u);
  EXPECT_EQ(st.dropped_series(), 3u);
  EXPECT_EQ(st.series("x", "y"), SeriesIndex::kNoSeries);
}

TEST(SeriesOf, HeldSnapshotsGiveTheSameReadings) {
  std::vector<Snapshot> snaps{snapshot(1, 2, true), snapshot(2, 0, false), snapshot(3, 4, true)};
  const auto rate = series_of(snaps, ComponentKind::Host, "host", MetricId::HostContextSwitches);
  ASSERT_EQ(rate.size(), 2u);  // no rate without an interval
  EXPECT_DOUBLE_EQ(rate[0].value, 150.0);
  EXPECT_DOUBLE_EQ(rate[1].value, 75.0);
  EXPECT_EQ(series_of(snaps, ComponentKind::Cgroup, "/a", MetricId::CgMemCurrent).size(), 2u);
}

}  // namespace
}  // namespace kpulse::model
