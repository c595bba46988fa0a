#include "analytics/use_table.h"

#include <cmath>

#include <gtest/gtest.h>

#include "model/listeners_exits.h"

namespace kpulse::analytics {
namespace {

using model::ComponentKind;
using model::MetricId;

model::Component cgroup(const std::string& id) {
  model::Component c;
  c.kind = ComponentKind::Cgroup;
  c.id = id;
  c.parent = "/";
  return c;
}

model::HistogramSample runq(uint64_t each_ns, int n) {
  model::HistogramSample h;
  h.id = MetricId::SchedRunqLatency;
  for (int i = 0; i < n; ++i) h.delta.record(each_ns);
  h.total = h.delta;
  return h;
}

const UseRow* row(const std::vector<UseRow>& t, const std::string& key, Resource r) {
  for (const auto& x : t)
    if (x.key == key && x.resource == r) return &x;
  return nullptr;
}

TEST(UseTable, CgroupCpuRowNormalisesSignalsToTheirLimits) {
  model::Snapshot s;
  s.interval_s = 2.0;
  for (int i = 0; i < 2; ++i) {
    model::Component cpu;
    cpu.kind = ComponentKind::Cpu;
    cpu.id = "cpu" + std::to_string(i);
    s.components.push_back(cpu);
  }
  auto c = cgroup("/app");
  c.set_gauge(MetricId::CpuUtilization, 1.0);    // one of two CPUs
  c.set_counter(MetricId::PsiCpuSome, 10, 1.0);  // stalled half of 2 s
  c.histograms.push_back(runq(40'000'000, 50));  // 40 ms waits
  s.components.push_back(c);

  UseLimits lim;
  auto t = use_table(s, lim);
  const UseRow* r = row(t, "cgroup:/app", Resource::Cpu);
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(r->utilization, 0.5);
  ASSERT_NE(r->find("psi_cpu_some"), nullptr);
  EXPECT_DOUBLE_EQ(r->find("psi_cpu_some")->value, 0.5);
  ASSERT_NE(r->find("runq_latency_p99"), nullptr);
  double p99 = r->find("runq_latency_p99")->value;
  EXPECT_GT(p99, 0.033);  // inside the 2^25 ns slot that holds 40 ms
  EXPECT_LT(p99, 0.068);
  EXPECT_DOUBLE_EQ(r->saturation, std::max(0.5 / lim.psi_share, p99 / lim.runq_p99_s));
  EXPECT_TRUE(std::isnan(r->errors));
}

// Seen live (bench/analytics/live_scenarios.sh cfsquota): a cgroup held at
// its quota on two CPUs read "throttled 175% of the time": the kernel's
// throttled_time adds up each CPU's throttled run queue. Throttling is the
// share of the quota's periods that ran out, as the tuner reads it.
TEST(UseTable, ThrottlingIsAShareOfQuotaPeriodsNotSummedCpuTime) {
  model::Snapshot s;
  s.interval_s = 2.0;
  auto c = cgroup("/capped");
  c.set_gauge(MetricId::CpuUtilization, 0.2);
  c.set_gauge(MetricId::CgCpuQuota, 0.2);
  c.set_counter(MetricId::CgCpuThrottledTime, 40, 3.5);  // 1.75 s per second, two CPUs
  c.set_counter(MetricId::CgCpuPeriods, 400, 20);
  c.set_counter(MetricId::CgCpuThrottledPeriods, 380, 18);
  s.components.push_back(c);
  const auto t = use_table(s);
  const UseRow* r = row(t, "cgroup:/capped", Resource::Cpu);
  ASSERT_NE(r, nullptr);
  ASSERT_NE(r->find("cpu_throttled"), nullptr);
  EXPECT_DOUBLE_EQ(r->find("cpu_throttled")->value, 0.9);
}

// Without period counts (a recording from before they were kept) the summed
// time still says "throttled", but never more than the whole interval.
TEST(UseTable, ThrottledTimeWithoutPeriodsIsCappedAtTheInterval) {
  model::Snapshot s;
  s.interval_s = 2.0;
  auto c = cgroup("/capped");
  c.set_gauge(MetricId::CgCpuQuota, 0.2);
  c.set_counter(MetricId::CgCpuThrottledTime, 40, 3.5);
  s.components.push_back(c);
  const auto t = use_table(s);
  const UseRow* r = row(t, "cgroup:/capped", Resource::Cpu);
  ASSERT_NE(r, nullptr);
  ASSERT_NE(r->find("cpu_throttled"), nullptr);
  EXPECT_DOUBLE_EQ(r->find("cpu_throttled")->value, 1.0);
}

TEST(UseTable, TooFewRunQueueEventsGiveNoPercentile) {
  model::Snapshot s;
  s.interval_s = 1;
  auto c = cgroup("/quiet");
  c.set_gauge(MetricId::CpuUtilization, 0.01);
  c.histograms.push_back(runq(90'000'000, 2));
  s.components.push_back(c);
  auto t = use_table(s);
  const UseRow* r = row(t, "cgroup:/quiet", Resource::Cpu);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->find("runq_latency_p99"), nullptr);
}

TEST(UseTable, DiskAndTcpSignalsAreRatesAndDepths) {
  model::Snapshot s;
  s.interval_s = 1;
  model::Component d;
  d.kind = ComponentKind::Disk;
  d.id = "sda";
  d.set_gauge(MetricId::DiskUtilization, 1.0);
  d.set_gauge(MetricId::DiskQueueDepth, 12);
  d.set_counter(MetricId::BlkErrors, 3, 3);
  s.components.push_back(d);
  model::Component h;
  h.kind = ComponentKind::Host;
  h.id = "host";
  h.set_counter(MetricId::TcpRetransmits, 100, 20);
  s.components.push_back(h);
  model::Listener l;
  l.backlog = 8;
  l.queued = 8;
  s.components.push_back(model::to_component(l));

  auto t = use_table(s);
  const UseRow* disk = row(t, "disk:sda", Resource::Disk);
  ASSERT_NE(disk, nullptr);
  EXPECT_DOUBLE_EQ(disk->utilization, 1.0);
  EXPECT_DOUBLE_EQ(disk->saturation, 12.0 / UseLimits{}.disk_queue_depth);
  EXPECT_DOUBLE_EQ(disk->errors, 3.0 / UseLimits{}.errors_per_s);
  const UseRow* net = row(t, "host:host", Resource::Network);
  ASSERT_NE(net, nullptr);
  EXPECT_DOUBLE_EQ(net->find("retransmits")->value, 20);
  EXPECT_DOUBLE_EQ(net->find("accept_queue_fill")->value, 1.0);
}

TEST(UseTable, ProcessesAreNotResources) {
  model::Snapshot s;
  s.interval_s = 1;
  model::Component p;
  p.kind = ComponentKind::Process;
  p.id = "42";
  p.set_gauge(MetricId::CpuUtilization, 1);
  s.components.push_back(p);
  EXPECT_TRUE(use_table(s).empty());
}

}  // namespace
}  // namespace kpulse::analytics
