#include "analytics/history.h"

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

using model::MetricId;

model::Snapshot snapshot(int64_t t_s, double cpu_delta, double load) {
  model::Snapshot s;
  s.time_ns = t_s * 1'000'000'000 + 400'000'000;  // sub-second part is dropped
  s.interval_s = 2.0;
  model::Component host;
  host.kind = model::ComponentKind::Host;
  host.id = "host";
  host.set_counter(MetricId::CpuUser, 1000 + cpu_delta, cpu_delta);
  host.set_gauge(MetricId::HostLoad1, load);
  model::HistogramSample h;
  h.id = MetricId::SchedRunqLatency;
  for (int i = 0; i < 99; ++i) h.delta.record(1000);  // ~1 us
  h.delta.record(1'000'000);                          // one ~1 ms outlier
  host.histograms.push_back(h);
  s.components.push_back(host);
  model::Component cpu;
  cpu.kind = model::ComponentKind::Cpu;
  cpu.id = "cpu0";
  cpu.set_gauge(MetricId::HostLoad1, load * 10);  // same metric, other component
  s.components.push_back(cpu);
  return s;
}

TEST(HistoryIngest, CountersBecomeRatesGaugesStayValues) {
  History h;
  h.ingest(snapshot(5000, 3.0, 0.5));
  h.ingest(snapshot(5002, 5.0, 1.5));
  const std::string host = snapshot(0, 0, 0).components[0].key();
  const auto rate = h.range(host, "cpu.time.user", 5000, 5002);
  ASSERT_EQ(rate.size(), 2u);
  EXPECT_DOUBLE_EQ(rate[0].mean, 1.5);  // 3 s of CPU over a 2 s interval
  EXPECT_DOUBLE_EQ(rate[1].mean, 2.5);
  const auto load = h.range(host, "host.load.1m", 5000, 5002);
  ASSERT_EQ(load.size(), 2u);
  EXPECT_DOUBLE_EQ(load[1].mean, 1.5);
  const std::string cpu = snapshot(0, 0, 0).components[1].key();
  const auto cpu0 = h.range(cpu, "host.load.1m", 5000, 5002);
  ASSERT_EQ(cpu0.size(), 2u);
  EXPECT_DOUBLE_EQ(cpu0[1].mean, 15.0);
  // A range reaching back past the 8-day minute tier comes from the hourly one.
  const auto hourly = h.range(cpu, "host.load.1m", 5000 - 9 * 86400, 6000);
  ASSERT_EQ(hourly.size(), 1u);
  EXPECT_EQ(hourly[0].seconds, 3600);
  EXPECT_DOUBLE_EQ(hourly[0].mean, 10.0);
  EXPECT_DOUBLE_EQ(hourly[0].min, 5.0);
  EXPECT_DOUBLE_EQ(hourly[0].max, 15.0);
  EXPECT_EQ(h.series_count(), 5u);  // rate, load, p50, p99, cpu0 load
}

TEST(HistoryIngest, HistogramsAsQuantilesInSeconds) {
  History h;
  h.ingest(snapshot(100, 1, 1));
  const std::string host = snapshot(0, 0, 0).components[0].key();
  const auto p50 = h.range(host, "sched.runq_latency:p50", 0, 200);
  const auto p99 = h.range(host, "sched.runq_latency:p99", 0, 200);
  ASSERT_EQ(p50.size(), 1u);
  ASSERT_EQ(p99.size(), 1u);
  // 1000 ns sits in the [512, 1024) slot; the 1 ms outlier only moves p99 up
  // to the top of that slot, not beyond it.
  EXPECT_GT(p50[0].mean, 512e-9);
  EXPECT_LT(p50[0].mean, 1024e-9);
  EXPECT_GE(p99[0].mean, p50[0].mean);
}

TEST(HistoryIngest, SeriesCapIsEnforced) {
  History h(default_history_tiers(), 3);
  h.ingest(snapshot(100, 1, 1));
  EXPECT_EQ(h.series_count(), 3u);
  EXPECT_EQ(h.dropped_series(), 2u);
  EXPECT_EQ(h.series("x", "y"), History::kNoSeries);
}

TEST(HistoryIngest, MinuteTierAggregatesSeconds) {
  History h({{1, 120}, {60, 10}});
  const History::SeriesId id = h.series("host:host", "m");
  for (int t = 0; t < 120; ++t) h.append(id, t, t < 60 ? 1.0 : 3.0);
  const SeriesRing* r = h.find("host:host", "m");
  ASSERT_NE(r, nullptr);
  const auto pts = r->range_in_tier(1, 0, 119);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_DOUBLE_EQ(pts[0].mean, 1.0);
  EXPECT_DOUBLE_EQ(pts[1].mean, 3.0);
  EXPECT_EQ(pts[1].count, 60u);
}

}  // namespace
}  // namespace kpulse::analytics
