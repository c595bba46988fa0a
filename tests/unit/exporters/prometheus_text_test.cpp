#include "exporters/prometheus_text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace kpulse::exporters {
namespace {

using model::ComponentKind;
using model::MetricId;

model::Snapshot small_snapshot() {
  model::Snapshot s;
  s.time_ns = 1'700'000'000'000'000'000;
  s.interval_s = 1;
  model::Component host{.kind = ComponentKind::Host, .id = "host"};
  host.set_counter(MetricId::CpuUser, 12.5, 0.5);
  host.set_gauge(MetricId::MemUsed, 1024);
  host.labeled.push_back({MetricId::NetDrops, "TCP_\"CSUM\"", 3, 1});
  host.labeled.push_back({MetricId::NetDrops, "NO_SOCKET", 7, 2});
  model::Component cpu1{.kind = ComponentKind::Cpu, .id = "cpu1"};
  cpu1.set_counter(MetricId::CpuUser, 6, 0.25);
  model::Component cpu0{.kind = ComponentKind::Cpu, .id = "cpu0"};
  cpu0.set_counter(MetricId::CpuUser, 6.5, 0.25);
  model::Component cg{.kind = ComponentKind::Cgroup, .id = "/odd\\\"name\n"};
  model::HistogramSample h{MetricId::SchedRunqLatency, {}, {}};
  h.total.record(3);     // slot 1: le 3e-09
  h.total.record(1000);  // slot 9: le 1.023e-06
  h.total.record(1000);
  cg.histograms.push_back(h);
  s.components = {host, cpu1, cg, cpu0};
  return s;
}

TEST(PrometheusText, CountersGaugesLabelsAndHelp) {
  const std::string text = prometheus_text(small_snapshot());
  EXPECT_NE(text.find("# HELP kpulse_cpu_time_seconds_total system.cpu.time by mode: user (CPU "
                      "time spent in user mode); nice ("),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE kpulse_cpu_time_seconds_total counter\n"
                      "kpulse_cpu_time_seconds_total{level=\"host\",mode=\"user\"} 12.5\n"
                      "kpulse_cpu_time_seconds_total{cpu=\"0\",level=\"cpu\",mode=\"user\"} 6.5\n"
                      "kpulse_cpu_time_seconds_total{cpu=\"1\",level=\"cpu\",mode=\"user\"} 6\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE kpulse_memory_usage_bytes gauge\n"
                      "kpulse_memory_usage_bytes{state=\"used\"} 1024\n"),
            std::string::npos)
      << text;
  // Labeled samples sorted by label, values escaped.
  EXPECT_NE(text.find("kpulse_net_drops_total{reason=\"NO_SOCKET\"} 7\n"
                      "kpulse_net_drops_total{reason=\"TCP_\\\"CSUM\\\"\"} 3\n"),
            std::string::npos)
      << text;
}

TEST(PrometheusText, HistogramBucketsAreCumulativeInSeconds) {
  const std::string text = prometheus_text(small_snapshot());
  const std::string labels = "cgroup=\"/odd\\\\\\\"name\\n\",level=\"cgroup\"";
  EXPECT_NE(text.find("# TYPE kpulse_sched_runq_latency_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("kpulse_sched_runq_latency_seconds_bucket{" + labels + ",le=\"1e-09\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kpulse_sched_runq_latency_seconds_bucket{" + labels + ",le=\"3e-09\"} 1\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("kpulse_sched_runq_latency_seconds_bucket{" + labels + ",le=\"5.11e-07\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("kpulse_sched_runq_latency_seconds_bucket{" + labels + ",le=\"1.023e-06\"} 3\n"),
      std::string::npos);
  EXPECT_NE(text.find("kpulse_sched_runq_latency_seconds_bucket{" + labels + ",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("kpulse_sched_runq_latency_seconds_sum{" + labels + "} 2.003e-06\n"),
            std::string::npos);
  EXPECT_NE(text.find("kpulse_sched_runq_latency_seconds_count{" + labels + "} 3\n"),
            std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
            // HELP+TYPE per family (cpu, mem, drops, histogram) + series lines
            // + kpulse_build_info (HELP, TYPE, value)
            8 + 3 + 1 + 2 + (model::kHistogramSlots + 2) + 3);
}

TEST(PrometheusText, SameOutputWhateverTheComponentOrder) {
  model::Snapshot s = small_snapshot();
  const std::string first = prometheus_text(s);
  std::mt19937 rng(7);
  for (int i = 0; i < 10; ++i) {
    std::shuffle(s.components.begin(), s.components.end(), rng);
    for (auto& c : s.components) std::shuffle(c.labeled.begin(), c.labeled.end(), rng);
    EXPECT_EQ(prometheus_text(s), first);
  }
}

TEST(PrometheusText, AbsentValuesAreLeftOutNotPrintedAsNaN) {
  model::Snapshot s;
  model::Component host{.kind = ComponentKind::Host, .id = "host"};
  host.set_gauge(MetricId::MemUsed, model::kNaN);
  s.components.push_back(host);
  const std::string text = prometheus_text(s);
  EXPECT_EQ(text.find("NaN"), std::string::npos) << text;
  EXPECT_EQ(text.find("memory"), std::string::npos) << text;
  EXPECT_EQ(text.substr(0, text.find(' ', 7)), "# HELP kpulse_build_info") << text;
}

}  // namespace
}  // namespace kpulse::exporters
