#include "engine/derived_metrics.h"

#include <cmath>

#include <gtest/gtest.h>

#include "probes/bpf_samples.h"
#include "probes/sched/sched_samples.h"

namespace kpulse::engine {
namespace {

using model::Component;
using model::ComponentKind;
using model::MetricId;

TEST(DerivedMetrics, CpuUtilizationFromModeDeltas) {
  Component cpu;
  cpu.kind = ComponentKind::Cpu;
  cpu.id = "cpu0";
  cpu.set_counter(MetricId::CpuUser, 100, 0.6);
  cpu.set_counter(MetricId::CpuSystem, 50, 0.15);
  cpu.set_counter(MetricId::CpuIdle, 900, 0.2);
  cpu.set_counter(MetricId::CpuIowait, 10, 0.05);
  std::vector<Component> v{cpu};
  derive_metrics(v, 1.0);
  EXPECT_NEAR(v[0].value(MetricId::CpuUtilization), 0.75, 1e-12);
}

TEST(DerivedMetrics, DiskUtilizationAndQueueDepthAreRatesOverTheInterval) {
  Component d;
  d.kind = ComponentKind::Disk;
  d.id = "vda";
  d.set_counter(MetricId::DiskBusyTime, 10, 1.0);        // busy 1 s of a 2 s interval
  d.set_counter(MetricId::DiskWeightedIoTime, 40, 6.0);  // 3 requests in flight on average
  std::vector<Component> v{d};
  derive_metrics(v, 2.0);
  EXPECT_DOUBLE_EQ(v[0].value(MetricId::DiskUtilization), 0.5);
  EXPECT_DOUBLE_EQ(v[0].value(MetricId::DiskQueueDepth), 3.0);
}

TEST(DerivedMetrics, CgroupCpuPrefersCgroupfsUsageOverBpf) {
  Component c;
  c.kind = ComponentKind::Cgroup;
  c.id = "/a";
  c.set_counter(MetricId::SchedOncpuTime, 5, 0.5);
  std::vector<Component> v{c};
  derive_metrics(v, 1.0);
  EXPECT_DOUBLE_EQ(v[0].value(MetricId::CpuUtilization), 0.5);
  v[0].set_counter(MetricId::CgCpuUsage, 8, 1.5);
  derive_metrics(v, 1.0);
  EXPECT_DOUBLE_EQ(v[0].value(MetricId::CpuUtilization), 1.5);  // 1.5 CPUs
}

TEST(DerivedMetrics, NothingDerivedWithoutAnInterval) {
  Component d;
  d.kind = ComponentKind::Disk;
  d.id = "vda";
  d.set_counter(MetricId::DiskBusyTime, 10, 1.0);
  std::vector<Component> v{d};
  derive_metrics(v, 0);
  EXPECT_TRUE(std::isnan(v[0].value(MetricId::DiskUtilization)));
}

TEST(BpfSamples, SubtractSaturatesAndHistogramsConvert) {
  kp_sched_cgroup now{}, before{};
  now.runq_latency.slots[10] = 5;
  now.runq_latency.count = 5;
  now.runq_latency.sum_ns = 5 * 1500;
  before.runq_latency.slots[3] = 9;  // larger than now: a reset, not a negative delta
  auto d = probes::subtract_u64_fields(now, before);
  EXPECT_EQ(d.runq_latency.slots[3], 0u);
  EXPECT_EQ(d.runq_latency.sum_ns, 7500u);
  Component c;
  probes::add_sched_samples(c, now, d);
  // On-CPU time is the kernel's (cgroupfs), not a BPF sample.
  EXPECT_TRUE(std::isnan(c.delta(MetricId::SchedOncpuTime)));
  const auto* h = c.find_histogram(MetricId::SchedRunqLatency);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->delta.count, 5u);
  EXPECT_GE(h->delta.quantile_ns(0.5), 1024);
  EXPECT_LT(h->delta.quantile_ns(0.5), 2048);
}

TEST(BpfSamples, KernelAndModelAgreeOnTheSlotRule) {
  // The BPF side's branch-free log2 must match model::slot_for_ns; this
  // checks the shared constant and a few boundaries of the model's rule.
  EXPECT_EQ(KP_HIST_SLOTS, model::kHistogramSlots);
  EXPECT_EQ(model::slot_for_ns(1ull << 20), 20);
  EXPECT_EQ(model::slot_for_ns((1ull << 20) - 1), 19);
}

}  // namespace
}  // namespace kpulse::engine
