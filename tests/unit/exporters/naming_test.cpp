#include "exporters/naming.h"

#include <gtest/gtest.h>

#include <set>

#include "model/metric_catalog.h"

namespace kpulse::exporters {
namespace {

using model::MetricId;

TEST(PrometheusName, AddsUnitSuffixAndTotal) {
  EXPECT_EQ(prometheus_name(model::info(MetricId::CpuUser)), "kpulse_cpu_time_seconds_total");
  EXPECT_EQ(prometheus_name(model::info(MetricId::MemUsed)), "kpulse_memory_usage_bytes");
  EXPECT_EQ(prometheus_name(model::info(MetricId::CpuUtilization)), "kpulse_cpu_utilization_ratio");
  EXPECT_EQ(prometheus_name(model::info(MetricId::HostLoad1)), "kpulse_host_load_1m");
  EXPECT_EQ(prometheus_name(model::info(MetricId::SchedRunqLatency)),
            "kpulse_sched_runq_latency_seconds");
}

TEST(PrometheusName, DoesNotRepeatASuffixTheNameAlreadyHas) {
  EXPECT_EQ(prometheus_name(model::info(MetricId::BlkReadBytes)), "kpulse_block_read_bytes_total");
  EXPECT_EQ(prometheus_name(model::info(MetricId::TcpRetransmits)), "kpulse_tcp_retransmits_total");
}

TEST(PrometheusName, EveryCatalogMetricGetsAValidUniqueName) {
  std::set<std::string> names;
  for (const auto& f : prometheus_families()) {
    const std::string& n = f.name;
    ASSERT_FALSE(n.empty());
    EXPECT_FALSE(n[0] >= '0' && n[0] <= '9') << n;
    for (char c : n)
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_')
          << n;
    // Histograms also occupy the _bucket/_sum/_count names.
    std::vector<std::string> taken{n};
    if (f.type == model::MetricType::Histogram) taken = {n + "_bucket", n + "_sum", n + "_count"};
    for (const auto& t : taken) EXPECT_TRUE(names.insert(t).second) << "duplicate " << t;
  }
}

TEST(OtlpName, UsesSemanticConventionOrKpulsePrefix) {
  EXPECT_EQ(otlp_name(model::info(MetricId::CpuUser)), "system.cpu.time");
  EXPECT_EQ(otlp_name(model::info(MetricId::DiskReadBytes)), "system.disk.io");
  EXPECT_EQ(otlp_name(model::info(MetricId::SchedRunqLatency)), "kpulse.sched.runq_latency");
}

// memory.page_faults counts minor and major faults: under the convention's
// system.paging.faults{type=minor} (minor alone) a sum over the type
// attribute would count each major fault twice.
TEST(OtlpName, AllPageFaultsKeepTheirOwnNameBesideTheMajorOnes) {
  EXPECT_EQ(otlp_name(model::info(MetricId::VmPageFaults)), "kpulse.memory.page_faults");
  EXPECT_EQ(prometheus_name(model::info(MetricId::VmPageFaults)),
            "kpulse_memory_page_faults_total");
  EXPECT_EQ(otlp_name(model::info(MetricId::VmMajorFaults)), "system.paging.faults");
}

TEST(OtlpFamilies, GroupMetricsSharingAConventionName) {
  const auto& fams = otlp_families();
  const auto& cpu = fams[otlp_family_index(MetricId::CpuUser)];
  EXPECT_EQ(cpu.name, "system.cpu.time");
  EXPECT_EQ(cpu.members.size(), 8u);
  EXPECT_EQ(cpu.unit, "s");
  EXPECT_EQ(otlp_family_index(MetricId::CpuSteal), otlp_family_index(MetricId::CpuUser));
  EXPECT_NE(otlp_family_index(MetricId::CpuUtilization), otlp_family_index(MetricId::CpuUser));
  // Every family member has a distinct convention attribute to tell it apart.
  for (const auto& f : fams) {
    if (f.members.size() < 2) continue;
    std::set<std::string> attrs;
    for (auto id : f.members) {
      auto a = parse_catalog_attribute(model::info(id).otel_attribute);
      ASSERT_TRUE(a) << f.name;
      EXPECT_TRUE(attrs.insert(a->key + "=" + a->value).second) << f.name;
    }
  }
  size_t members = 0;
  for (const auto& f : fams) members += f.members.size();
  EXPECT_EQ(members, model::metric_count());
}

TEST(CatalogAttribute, ParsesKeyValue) {
  auto a = parse_catalog_attribute("cpu.mode=user");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->key, "cpu.mode");
  EXPECT_EQ(a->value, "user");
  EXPECT_FALSE(parse_catalog_attribute(""));
  EXPECT_FALSE(parse_catalog_attribute("novalue"));
  EXPECT_FALSE(parse_catalog_attribute("=x"));
}

TEST(LabelEscaping, EscapesBackslashQuoteAndNewlineOnly) {
  std::string out;
  append_label_value(out, "a\\b\"c\nd\te");
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd\te");
  std::string help;
  append_help_text(help, "x \"q\" \\ \n");
  EXPECT_EQ(help, "x \"q\" \\\\ \\n");
}

TEST(ComponentAttributes, NamePerKind) {
  model::Component cpu{.kind = model::ComponentKind::Cpu, .id = "cpu7"};
  auto a = component_attributes(cpu);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].otlp_key, "cpu.logical_number");
  EXPECT_EQ(a[0].prometheus_key, "cpu");
  EXPECT_EQ(a[0].int_value, 7);

  model::Component proc{.kind = model::ComponentKind::Process, .id = "4242", .name = "postgres"};
  a = component_attributes(proc);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].otlp_key, "process.pid");
  EXPECT_EQ(a[0].int_value, 4242);
  EXPECT_EQ(a[1].otlp_key, "process.executable.name");
  EXPECT_EQ(a[1].value, "postgres");

  model::Component cg{.kind = model::ComponentKind::Cgroup, .id = "/system.slice/ssh.service"};
  a = component_attributes(cg);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].otlp_key, "kpulse.cgroup");
  EXPECT_EQ(a[0].value, "/system.slice/ssh.service");

  EXPECT_EQ(component_attributes({.kind = model::ComponentKind::Disk, .id = "nvme0n1"})[0].otlp_key,
            "system.device");
  EXPECT_EQ(
      component_attributes({.kind = model::ComponentKind::Interface, .id = "eth0"})[0].otlp_key,
      "network.interface.name");
  EXPECT_TRUE(component_attributes({.kind = model::ComponentKind::Host, .id = "host"}).empty());
}

}  // namespace
}  // namespace kpulse::exporters
