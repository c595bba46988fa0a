#include "analytics/forecast_tracker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace kpulse::analytics {
namespace {

using model::Component;
using model::ComponentKind;
using model::MetricId;
using model::Snapshot;

constexpr int64_t kNs = 1'000'000'000;
// Monday 2026-11-02 00:00 UTC: weekdays and hours in the assertions are exact.
constexpr int64_t kMonday = 1793577600;
constexpr double kGiB = 1024.0 * 1024 * 1024;

Component host(double cpu, double mem_used) {
  Component c;
  c.kind = ComponentKind::Host;
  c.id = "host";
  c.set_gauge(MetricId::CpuUtilization, cpu);
  c.set_gauge(MetricId::MemUsed, mem_used);
  c.set_gauge(MetricId::MemTotal, 24 * kGiB);
  return c;
}

Component cgroup(const std::string& path, double cpus, double mem, double mem_max = 0) {
  Component c;
  c.kind = ComponentKind::Cgroup;
  c.id = path;
  c.set_gauge(MetricId::CpuUtilization, cpus);
  c.set_gauge(MetricId::CgMemCurrent, mem);
  if (mem_max > 0) c.set_gauge(MetricId::CgMemMax, mem_max);
  return c;
}

Snapshot at(int64_t unix_s, double interval_s, std::vector<Component> comps) {
  Snapshot s;
  s.time_ns = unix_s * kNs;
  s.interval_s = interval_s;
  s.components = std::move(comps);
  return s;
}

const MetricForecast* find(const std::vector<MetricForecast>& v, const std::string& component,
                           const std::string& metric) {
  for (const auto& f : v)
    if (f.component == component && f.metric == metric) return &f;
  return nullptr;
}

// Three weeks of hourly buckets (as a recording's hour tier gives them): a
// cgroup whose memory grows 10 MiB/h towards its memory.max, and a host
// whose CPU peaks every day at 14:00.
TEST(ForecastTracker, HourlyHistoryGivesSevenDaysWithExhaustionAndPeak) {
  ForecastTracker t;
  constexpr double kGrowth = 10.0 * 1024 * 1024;  // per hour
  const int hours = 21 * 24;
  const double limit = 1 * kGiB + kGrowth * (hours + 100);  // reached ~100 h after the end
  for (int h = 0; h < hours; ++h) {
    const double day = 2 * std::numbers::pi * ((h % 24) - 14) / 24.0;
    const double cpu = 0.45 + 0.35 * std::cos(day);  // 0.80 at 14:00, 0.10 at 02:00
    t.ingest(at(kMonday + h * 3600LL, 3600,
                {host(cpu, 8 * kGiB), cgroup("/app", 0.5, 1 * kGiB + kGrowth * h, limit)}));
  }
  t.refresh();
  const auto& v = t.latest();

  const MetricForecast* mem = find(v, "cgroup:/app", "cgroup.memory.current");
  ASSERT_NE(mem, nullptr);
  EXPECT_EQ(mem->step_s, 3600);
  EXPECT_EQ(mem->horizon_s(), 168 * 3600);
  ASSERT_TRUE(mem->limit);
  EXPECT_EQ(mem->limit_name, "memory.max");
  ASSERT_TRUE(mem->exhaustion.expected_s) << mem->summary;
  // The true crossing is 101 h out. The forecaster damps trends (it scores
  // better on real series that way), so its point estimate runs late; the
  // earliest (95 % band) crossing must still not be later than the truth.
  EXPECT_NEAR(*mem->exhaustion.expected_s / 3600.0, 101, 30) << mem->summary;
  ASSERT_TRUE(mem->exhaustion.earliest_s);
  EXPECT_LE(*mem->exhaustion.earliest_s, *mem->exhaustion.expected_s);
  EXPECT_LE(*mem->exhaustion.earliest_s / 3600.0, 101) << mem->summary;
  EXPECT_NE(mem->summary.find("memory.max"), std::string::npos) << mem->summary;
  EXPECT_NE(mem->summary.find("reached in"), std::string::npos) << mem->summary;
  // The one that runs out comes first.
  EXPECT_EQ(&v.front(), mem);

  const MetricForecast* cpu = find(v, "host:host", "cpu.utilization");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ((cpu->peak_at_s % 86400) / 3600, 14) << cpu->summary;
  EXPECT_NEAR(cpu->peak, 0.80, 0.08);
  EXPECT_FALSE(cpu->exhaustion.expected_s) << cpu->summary;  // never reaches 100 %
  for (size_t i = 0; i < cpu->forecast.point.size(); ++i) {
    EXPECT_LE(cpu->forecast.hi95[i], 1.0);  // a busy share cannot exceed the whole
    EXPECT_GE(cpu->forecast.lo95[i], 0.0);
    EXPECT_LE(cpu->forecast.lo80[i], cpu->forecast.point[i] + 1e-9);
    EXPECT_GE(cpu->forecast.hi80[i], cpu->forecast.point[i] - 1e-9);
  }
}

TEST(ForecastTracker, MinutesAfterStartAShortForecastFromTheSecondsTier) {
  ForecastTracker t;
  for (int s = 0; s < 50; ++s) t.ingest(at(kMonday + s, 1, {host(0.3, 4 * kGiB)}));
  t.refresh();
  EXPECT_TRUE(t.latest().empty());  // 50 steps: not enough to say anything

  for (int s = 50; s < 120; ++s) t.ingest(at(kMonday + s, 1, {host(0.3, 4 * kGiB)}));
  t.refresh();
  const MetricForecast* mem = find(t.latest(), "host:host", "memory.used");
  ASSERT_NE(mem, nullptr);
  EXPECT_EQ(mem->step_s, 1);
  EXPECT_EQ(mem->history_steps, 120);
  EXPECT_LE(mem->horizon_s(), 120);  // never further ahead than the history reaches back
  EXPECT_NEAR(mem->forecast.point.back(), 4 * kGiB, 0.01 * kGiB);
}

// "Disk full in ...": a disk whose filesystems gain 1 GiB a day, hourly
// buckets over two weeks, 4 GiB left at the end.
TEST(ForecastTracker, FillingDiskGetsAFullInTime) {
  ForecastTracker t;
  const int hours = 14 * 24;
  const double per_hour = kGiB / 24.0;
  const double capacity = 50 * kGiB + per_hour * hours + 4 * kGiB;
  for (int h = 0; h < hours; ++h) {
    Component d;
    d.kind = ComponentKind::Disk;
    d.id = "vda";
    d.set_gauge(MetricId::DiskUtilization, 0.05);
    d.set_gauge(MetricId::DiskFsUsed, 50 * kGiB + per_hour * h);
    d.set_gauge(MetricId::DiskFsCapacity, capacity);
    t.ingest(at(kMonday + h * 3600LL, 3600, {host(0.2, kGiB), d}));
  }
  t.refresh();
  const MetricForecast* fs = find(t.latest(), "disk:vda", "disk.fs.used");
  ASSERT_NE(fs, nullptr);
  EXPECT_EQ(fs->limit_name, "filesystems full");
  ASSERT_TRUE(fs->exhaustion.expected_s) << fs->summary;
  // 4 GiB at 1 GiB/day: about 4 days (damped trends run a little late).
  EXPECT_NEAR(*fs->exhaustion.expected_s / 86400.0, 4.0, 1.5) << fs->summary;
  EXPECT_NE(fs->summary.find("filesystems full"), std::string::npos);
  // A disk without filesystems has no such series.
  EXPECT_EQ(find(t.latest(), "disk:vdb", "disk.fs.used"), nullptr);
  // A disk that was never busy is not listed.
  EXPECT_NE(find(t.latest(), "disk:vda", "disk.utilization"), nullptr);
  Component idle;
  idle.kind = ComponentKind::Disk;
  idle.id = "loop0";
  idle.set_gauge(MetricId::DiskUtilization, 0);
  ForecastTracker t2;
  for (int s = 0; s < 120; ++s) t2.ingest(at(kMonday + s, 1, {host(0.2, kGiB), idle}));
  t2.refresh();
  EXPECT_EQ(find(t2.latest(), "disk:loop0", "disk.utilization"), nullptr);
  EXPECT_NE(find(t2.latest(), "host:host", "cpu.utilization"), nullptr);
}

TEST(ForecastTracker, RefreshFollowsItsCadence) {
  ForecastTrackerConfig cfg;
  cfg.refresh_s = 60;
  ForecastTracker t(cfg);
  int rounds = 0;
  for (int s = 0; s < 300; ++s) {
    t.ingest(at(kMonday + s, 1, {host(0.3, 4 * kGiB)}));
    rounds += t.maybe_refresh();
  }
  EXPECT_EQ(rounds, 5);  // at 0, 60, 120, 180, 240 s
}

TEST(ForecastTracker, IdleCgroupsGetNoSeriesAndTheCapHolds) {
  ForecastTrackerConfig cfg;
  cfg.max_cgroups = 4;
  ForecastTracker t(cfg);
  std::vector<Component> comps{host(0.1, kGiB)};
  for (int i = 0; i < 6; ++i) comps.push_back(cgroup("/busy" + std::to_string(i), 0.2, 1e6));
  for (int i = 0; i < 10; ++i) comps.push_back(cgroup("/idle" + std::to_string(i), 0, 0));
  t.ingest(at(kMonday, 1, comps));
  EXPECT_EQ(t.series_count(), 2 + 4 * 2);  // host CPU and memory, 4 cgroups x 2
  EXPECT_EQ(t.untracked_cgroups(), 2u);
}

TEST(ForecastTracker, AGoneCgroupFreesItsSlot) {
  ForecastTrackerConfig cfg;
  cfg.max_cgroups = 1;
  ForecastTracker t(cfg);
  t.ingest(at(kMonday, 1, {cgroup("/old", 0.2, 1e6)}));
  t.ingest(at(kMonday + 1, 1, {cgroup("/new", 0.2, 1e6)}));
  EXPECT_EQ(t.untracked_cgroups(), 1u);
  // Eleven minutes later /old has not been seen for longer than 10 minutes.
  t.ingest(at(kMonday + 660, 1, {cgroup("/new", 0.2, 1e6)}));
  t.refresh();
  t.ingest(at(kMonday + 661, 1, {cgroup("/new", 0.2, 1e6)}));
  EXPECT_EQ(t.untracked_cgroups(), 0u);
  EXPECT_EQ(t.series_count(), 2u);
}

TEST(ForecastTracker, NonNegativeMetricNeverForecastNegative) {
  ForecastTracker t;
  for (int m = 0; m < 600; ++m) {
    // Mostly idle with short bursts: the kind of series that drags a naive
    // lower bound below zero.
    const double cpus = (m % 37 == 0) ? 1.5 : 0.01;
    t.ingest(at(kMonday + m * 60LL, 60, {cgroup("/bursty", cpus, 5e7)}));
  }
  t.refresh();
  const MetricForecast* cpu = find(t.latest(), "cgroup:/bursty", "cpu.utilization");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->step_s, 60);
  for (double x : cpu->forecast.lo95) EXPECT_GE(x, 0.0);
  EXPECT_NE(cpu->summary.find("CPUs"), std::string::npos) << cpu->summary;
}

}  // namespace
}  // namespace kpulse::analytics

namespace kpulse::analytics {
namespace {

MetricForecast cpu_forecast(double now, double peak) {
  MetricForecast f;
  f.component = "host";
  f.metric = "cpu.utilization";
  f.unit = model::Unit::Ratio;
  f.step_s = 3600;
  f.forecast.point.assign(168, peak);
  f.last_value = now;
  f.peak = peak;
  f.peak_at_s = kMonday;
  f.limit = 1.0;
  f.limit_name = "all CPUs busy";
  return f;
}

// "now 100% ... all CPUs busy (100%) not reached" contradicted itself.
TEST(ForecastSummary, AValueShownAtTheLimitReadsAsReached) {
  const std::string s = summarize_forecast(cpu_forecast(0.998, 0.999));
  EXPECT_NE(s.find("now 100%"), std::string::npos) << s;
  EXPECT_NE(s.find("all CPUs busy (100%) reached now"), std::string::npos) << s;
  EXPECT_EQ(s.find("not reached"), std::string::npos) << s;
}

TEST(ForecastSummary, NotReachedSaysWithinWhat) {
  const std::string s = summarize_forecast(cpu_forecast(0.4, 0.5));
  EXPECT_NE(s.find("all CPUs busy (100%) not reached within 7 d"), std::string::npos) << s;
}

}  // namespace
}  // namespace kpulse::analytics

namespace kpulse::analytics {
namespace {

// The first forecast a minute after start, of memory growing steadily: it
// was the last value, flat, with zero-width intervals (the one-step changes
// all agreed, so their robust spread was 0). Its intervals must hold the
// growth going on, and it must say it is low-confidence.
TEST(ForecastTracker, FirstMinuteForecastIsMarkedLowConfidenceAndNotCertain) {
  ForecastTracker t;
  for (int s = 0; s < 60; ++s) t.ingest(at(kMonday + s, 1, {host(0.3, 4 * kGiB + s * (1 << 20))}));
  t.refresh();
  const MetricForecast* mem = find(t.latest(), "host:host", "memory.used");
  ASSERT_NE(mem, nullptr);
  const Forecast& f = mem->forecast;
  for (size_t h = 0; h < f.point.size(); ++h) EXPECT_GT(f.hi95[h], f.lo95[h]) << h;
  const double growth_goes_on = 4 * kGiB + (59.0 + f.point.size()) * (1 << 20);
  EXPECT_GE(f.hi80.back(), growth_goes_on) << f.method;
  EXPECT_NE(mem->summary.find("low confidence"), std::string::npos) << mem->summary;
}

}  // namespace
}  // namespace kpulse::analytics
