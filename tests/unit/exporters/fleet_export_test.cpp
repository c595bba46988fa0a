// What a fleet needs from the exporters: one resolved configuration, bounded
// cardinality, names that aggregate, merged export intervals.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "exporters/cardinality.h"
#include "exporters/export_settings.h"
#include "exporters/export_view.h"
#include "exporters/interval_merge.h"
#include "exporters/naming.h"
#include "exporters/otlp_encoder.h"
#include "exporters/prometheus_text.h"

namespace kpulse::exporters {
namespace {

using model::ComponentKind;
using model::MetricId;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

model::Component process(int pid, const std::string& comm, double cpus, double rss) {
  model::Component p{.kind = ComponentKind::Process, .id = std::to_string(pid), .name = comm};
  p.set_gauge(MetricId::CpuUtilization, cpus);
  p.set_gauge(MetricId::ProcRss, rss);
  p.set_counter(MetricId::ProcCpuTime, cpus * 10, cpus);
  return p;
}

TEST(FleetConfig, PerSignalVariablesTlsFilesAndUserAgent) {
  const OtlpConfig c = otlp_config_from_env(env_of({
      {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20generic"},
      {"OTEL_EXPORTER_OTLP_LOGS_HEADERS", "authorization=Bearer%20logs"},
      {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "https://logs:4318/custom"},
      {"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "1500"},
      {"OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "gzip"},
      {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc/ca.pem"},
      {"OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE", "/etc/m.crt"},
      {"OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY", "/etc/m.key"},
      {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
  }));
  EXPECT_TRUE(c.errors.empty());
  EXPECT_EQ(c.metrics.headers.at(0).second, "Bearer generic");
  EXPECT_EQ(c.logs.headers.at(0).second, "Bearer logs");
  EXPECT_EQ(c.logs.url, "https://logs:4318/custom");
  EXPECT_EQ(c.metrics.url, "http://localhost:4318/v1/metrics");
  EXPECT_EQ(c.logs.timeout.count(), 1500);
  EXPECT_EQ(c.metrics.timeout.count(), 10000);
  EXPECT_TRUE(c.metrics.gzip);
  EXPECT_FALSE(c.logs.gzip);
  EXPECT_EQ(c.metrics.tls.certificate, "/etc/ca.pem");
  EXPECT_EQ(c.logs.tls.certificate, "/etc/ca.pem");
  EXPECT_EQ(c.metrics.tls.client_certificate, "/etc/m.crt");
  EXPECT_EQ(c.metrics.tls.client_key, "/etc/m.key");
  EXPECT_TRUE(c.logs.tls.client_key.empty());
  EXPECT_TRUE(otlp_user_agent().starts_with("kpulse/"));
}

TEST(FleetConfig, GrpcProtocolStopsTheExportWithTheVariableNamed) {
  ExportChoices ch;
  ch.otlp = true;
  try {
    (void)resolve_export(ch, env_of({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}}));
    FAIL() << "grpc accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("OTEL_EXPORTER_OTLP_PROTOCOL=grpc"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("http/protobuf"), std::string::npos) << e.what();
  }
  // Not pushing OTLP: the variable does not matter.
  ch.otlp = false;
  EXPECT_NO_THROW((void)resolve_export(ch, env_of({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}})));
}

TEST(FleetConfig, ChoicesOverVariablesOverDefaults) {
  ExportChoices ch;
  ch.otlp = true;
  auto r = resolve_export(ch, env_of({}));
  EXPECT_EQ(r.options.export_interval, kDefaultExportInterval);
  EXPECT_EQ(r.options.otlp->config.metrics.url, "http://localhost:4318/v1/metrics");
  r = resolve_export(ch, env_of({{"OTEL_METRIC_EXPORT_INTERVAL", "30000"},
                                 {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318"}}));
  EXPECT_EQ(r.options.export_interval.count(), 30000);
  EXPECT_EQ(r.options.otlp->config.logs.url, "http://env:4318/v1/logs");
  ch.export_interval = std::chrono::milliseconds(5000);
  ch.otlp_endpoint = "http://cfg:4318/";
  ch.gzip = true;
  r = resolve_export(ch, env_of({{"OTEL_METRIC_EXPORT_INTERVAL", "30000"},
                                 {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318"}}));
  EXPECT_EQ(r.options.export_interval.count(), 5000);
  EXPECT_EQ(r.options.otlp->config.metrics.url, "http://cfg:4318/v1/metrics");
  EXPECT_TRUE(r.options.otlp->config.logs.gzip);
  // The resource is always there, with the instance id.
  bool instance = false;
  for (const auto& [k, v] : r.options.resource) instance |= k == "service.instance.id";
  EXPECT_TRUE(instance);
}

TEST(IntervalMerge, LatestValuesSummedDeltasMergedHistograms) {
  IntervalMerger m;
  for (int i = 1; i <= 3; ++i) {
    model::Snapshot s;
    s.time_ns = i * 1'000'000'000LL;
    s.interval_s = 1;
    model::Component d{.kind = ComponentKind::Disk, .id = "sda"};
    d.set_counter(MetricId::DiskReadOps, 100 * i, 100);
    d.set_gauge(MetricId::DiskQueueDepth, i);
    model::HistogramSample h{MetricId::BlkDeviceLatency, {}, {}};
    h.delta.record(uint64_t{1000} * i);
    for (int j = 1; j <= i; ++j) h.total.record(uint64_t{1000} * j);
    d.histograms.push_back(h);
    s.components.push_back(d);
    if (i == 2) s.components.push_back({.kind = ComponentKind::Disk, .id = "gone"});
    m.add(s);
  }
  const model::Snapshot out = m.take();
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(out.interval_s, 3);
  EXPECT_EQ(out.time_ns, 3'000'000'000LL);
  ASSERT_EQ(out.components.size(), 1u);
  const auto& d = out.components[0];
  EXPECT_EQ(d.value(MetricId::DiskReadOps), 300);
  EXPECT_EQ(d.delta(MetricId::DiskReadOps), 300);
  EXPECT_EQ(d.value(MetricId::DiskQueueDepth), 3);
  const auto* h = d.find_histogram(MetricId::BlkDeviceLatency);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->delta.count, 3u);
  EXPECT_EQ(h->delta.sum_ns, 6000u);
  EXPECT_EQ(h->total, d.find_histogram(MetricId::BlkDeviceLatency)->total);
}

TEST(Cardinality, ProcessesOffByDefaultCommSumsTopKeepsTheBusiest) {
  model::Snapshot s;
  s.components = {process(10, "nginx", 0.5, 100), process(11, "nginx", 0.25, 50),
                  process(12, "postgres", 2.0, 1000), process(13, "sshd", 0.0, 10)};
  model::Snapshot off = s;
  limit_cardinality(off, {});
  EXPECT_TRUE(off.components.empty());

  model::Snapshot comm = s;
  limit_cardinality(comm, {.processes = ProcessExport::ByComm});
  ASSERT_EQ(comm.components.size(), 3u);
  const auto& nginx = comm.components[0];
  EXPECT_EQ(nginx.name, "nginx");
  EXPECT_EQ(nginx.value(MetricId::CpuUtilization), 0.75);
  EXPECT_EQ(nginx.value(MetricId::ProcRss), 150);
  EXPECT_EQ(nginx.delta(MetricId::ProcCpuTime), 0.75);
  const auto attrs = component_attributes(nginx);
  ASSERT_EQ(attrs.size(), 1u);  // comm only: no pid on a sum of processes
  EXPECT_EQ(attrs[0].prometheus_key, "comm");

  model::Snapshot top = s;
  limit_cardinality(top, {.processes = ProcessExport::Top, .top_processes = 2});
  ASSERT_EQ(top.components.size(), 2u);
  EXPECT_EQ(top.components[0].id, "12");
  EXPECT_EQ(top.components[1].id, "10");
}

// A comm's counter is a sum over processes that come and go: when one exits
// the sum falls, which Prometheus and OTLP read as a reset (rate() would count
// the survivors' whole lifetime again). Carried across snapshots it only grows.
TEST(Cardinality, CommCountersOnlyGrowAsProcessesExit) {
  CommTotals totals;
  int64_t now_ns = 1'000'000'000'000;
  auto comm_cpu = [&](std::vector<model::Component> procs) {
    model::Snapshot s;
    s.time_ns = now_ns += 1'000'000'000;
    s.components = std::move(procs);
    limit_cardinality(s, {.processes = ProcessExport::ByComm}, &totals);
    return s.components.empty() ? NAN : s.components[0].value(MetricId::ProcCpuTime);
  };
  auto proc = [](uint32_t pid, double cpu_total, double cpu_delta) {
    model::Component c{.kind = ComponentKind::Process, .id = std::to_string(pid), .name = "make"};
    c.kernel_id = pid;
    c.set_counter(MetricId::ProcCpuTime, cpu_total, cpu_delta);
    return c;
  };
  EXPECT_EQ(comm_cpu({proc(10, 30, 0), proc(11, 20, 0)}), 50);       // first sight: the sum
  EXPECT_EQ(comm_cpu({proc(10, 31, 1), proc(11, 22, 2)}), 53);       // + 1 + 2
  EXPECT_EQ(comm_cpu({proc(11, 23, 1)}), 54);                        // 10 exited: + 1, not 23
  EXPECT_EQ(comm_cpu({proc(11, 23.5, 0.5), proc(12, 4, 0)}), 54.5);  // 12 new: from now on
  EXPECT_TRUE(std::isnan(comm_cpu({})));                             // none running a while
  EXPECT_EQ(comm_cpu({proc(13, 2, 0)}), 54.5);                       // resumes where it was
  EXPECT_EQ(totals.tracked(), 1u);
  now_ns += CommTotals::kKeepAbsentNs;
  comm_cpu({});
  EXPECT_EQ(totals.tracked(), 0u);           // absent longer: forgotten
  EXPECT_EQ(comm_cpu({proc(14, 3, 0)}), 3);  // and starts over
}

TEST(Cardinality, CgroupDepthAndAllowList) {
  model::Snapshot s;
  for (const char* id :
       {"/", "/system.slice", "/system.slice/a.service", "/kubepods/burstable",
        "/kubepods/burstable/podx/c1", "/kubepods/burstable/podx/c1/deeper", "/kubepodsfoo"})
    s.components.push_back({.kind = ComponentKind::Cgroup, .id = id});
  s.components.push_back({.kind = ComponentKind::Disk, .id = "sda"});
  auto ids = [](const model::Snapshot& x) {
    std::vector<std::string> v;
    for (const auto& c : x.components) v.push_back(c.id);
    return v;
  };
  model::Snapshot d = s;
  limit_cardinality(d, {});
  EXPECT_EQ(ids(d), (std::vector<std::string>{"/", "/system.slice", "/system.slice/a.service",
                                              "/kubepods/burstable", "/kubepods/burstable/podx/c1",
                                              "/kubepodsfoo", "sda"}));
  model::Snapshot a = s;
  limit_cardinality(a, {.cgroup_depth = 2, .cgroup_allow = {"/kubepods/"}});
  EXPECT_EQ(ids(a), (std::vector<std::string>{"/kubepods/burstable", "sda"}));
  EXPECT_EQ(cgroup_depth("/"), 0);
  EXPECT_EQ(cgroup_depth("//a//b/"), 2);
}

TEST(Naming, ContainerAndPodIdentityFromCgroupPaths) {
  const std::string id(64, 'a');
  const std::string uid = "0f3c0d2e-8a3b-4c2d-9e1f-123456789abc";
  std::string uid_sd = uid;
  std::replace(uid_sd.begin(), uid_sd.end(), '-', '_');
  auto ci = container_identity("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                               uid_sd + ".slice/cri-containerd-" + id + ".scope");
  EXPECT_EQ(ci.container_id, id);
  EXPECT_EQ(ci.pod_uid, uid);
  ci = container_identity("/kubepods/besteffort/pod" + uid + "/" + id);
  EXPECT_EQ(ci.container_id, id);
  EXPECT_EQ(ci.pod_uid, uid);
  ci = container_identity("/system.slice/docker-" + id + ".scope");
  EXPECT_EQ(ci.container_id, id);
  EXPECT_TRUE(ci.pod_uid.empty());
  ci = container_identity("/system.slice/ssh.service");
  EXPECT_TRUE(ci.container_id.empty());
  EXPECT_TRUE(ci.pod_uid.empty());

  model::Component cg{.kind = ComponentKind::Cgroup, .id = "/docker/" + id};
  const auto attrs = component_attributes(cg);
  ASSERT_EQ(attrs.size(), 2u);
  EXPECT_EQ(attrs[1].otlp_key, "container.id");
  EXPECT_EQ(attrs[1].value, id);
}

TEST(Naming, OneFamilyPerMeasureWithModeAndLevelLabels) {
  model::Snapshot s;
  model::Component host{.kind = ComponentKind::Host, .id = "host"};
  host.set_counter(MetricId::CpuUser, 20, 1);
  host.set_counter(MetricId::CpuSystem, 4, 1);
  model::Component cpu0{.kind = ComponentKind::Cpu, .id = "cpu0"};
  cpu0.set_counter(MetricId::CpuUser, 10, 1);
  cpu0.set_gauge(MetricId::CpuUtilization, 0.5);
  model::Component cpu1{.kind = ComponentKind::Cpu, .id = "cpu1"};
  cpu1.set_gauge(MetricId::CpuUtilization, 0.5);
  model::Component cg{.kind = ComponentKind::Cgroup, .id = "/app"};
  cg.set_gauge(MetricId::CpuUtilization, 1.5);  // CPUs used
  s.components = {host, cpu0, cpu1, cg};
  utilization_as_share(s);
  const std::string text = prometheus_text(s);
  EXPECT_NE(text.find("# TYPE kpulse_cpu_time_seconds_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("kpulse_cpu_time_seconds_total{level=\"host\",mode=\"user\"} 20\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kpulse_cpu_time_seconds_total{level=\"host\",mode=\"system\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("kpulse_cpu_time_seconds_total{cpu=\"0\",level=\"cpu\",mode=\"user\"} 10\n"),
            std::string::npos)
      << text;
  // One family, one TYPE line: no kpulse_cpu_time_user_* any more.
  EXPECT_EQ(text.find("cpu_time_user"), std::string::npos);
  // Utilisation is a share of the host's 2 CPUs for the cgroup too.
  EXPECT_NE(text.find("kpulse_cpu_utilization_ratio{cgroup=\"/app\",level=\"cgroup\"} 0.75\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kpulse_build_info{version=\""), std::string::npos);
}

TEST(Naming, SingleLevelFamiliesCarryNoLevelLabel) {
  for (const auto& f : prometheus_families()) {
    if (f.name == "kpulse_cgroup_memory_current_bytes") {
      EXPECT_FALSE(f.leveled);
    }
    if (f.name == "kpulse_cpu_time_seconds_total") {
      EXPECT_TRUE(f.leveled);
      EXPECT_EQ(f.label_key, "mode");
      EXPECT_EQ(f.members.size(), 8u);
    }
  }
  EXPECT_EQ(prometheus_name(model::info(MetricId::IfRxPackets)),
            "kpulse_network_packet_count_total");
  EXPECT_EQ(otlp_name(model::info(MetricId::IfRxDrops)), "system.network.packet.dropped");
}

TEST(OtlpStartTime, SinceBootCountersStartAtBoot) {
  const uint64_t boot = boot_time_ns();
  ASSERT_GT(boot, 1'500'000'000'000'000'000ull);
  OtlpMetricsEncoder enc({Temporality::Cumulative, {}, HistogramForm::Exponential, boot});
  model::Snapshot s;
  s.time_ns = int64_t(boot) + 3'600'000'000'000LL;
  s.interval_s = 1;
  model::Component host{.kind = ComponentKind::Host, .id = "host"};
  host.set_counter(MetricId::CpuUser, 100, 1);       // /proc/stat: since boot
  host.set_counter(MetricId::TcpRetransmits, 5, 1);  // BPF: since kpulse attached
  s.components = {host};
  const auto req = enc.encode(s);
  std::map<std::string, uint64_t> start;
  for (const auto& m : req.resource_metrics(0).scope_metrics(0).metrics())
    start[m.name()] = m.sum().data_points(0).start_time_unix_nano();
  EXPECT_EQ(start.at("system.cpu.time"), boot);
  EXPECT_EQ(start.at("kpulse.tcp.retransmits"), uint64_t(s.time_ns) - 1'000'000'000u);
}

}  // namespace
}  // namespace kpulse::exporters
