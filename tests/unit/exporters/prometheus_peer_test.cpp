// A real Prometheus server (Debian's `prometheus`) scrapes the exporter on
// loopback; the test reads the result back through Prometheus' HTTP API.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "exporters/prometheus_server.h"
#include "peer_process.h"

namespace kpulse::exporters {
namespace {

using json = nlohmann::json;
using model::ComponentKind;
using model::MetricId;
using namespace std::chrono_literals;

// An awkward cgroup name: Prometheus must get it back intact from our escaping.
const std::string kOddCgroup = "/kpulse.test/a \"quoted\" \\ name";

// What a known workload leaves in a snapshot: 1000 run-queue waits of 1 ms
// (slot 19: 524288..1048575 ns) in one cgroup, CPU time on cpu1.
model::Snapshot workload_snapshot(double cpu1_user) {
  model::Snapshot s;
  s.interval_s = 1;
  model::Component host{.kind = ComponentKind::Host, .id = "host"};
  host.set_counter(MetricId::CpuUser, cpu1_user * 2, 1);
  model::Component cpu{.kind = ComponentKind::Cpu, .id = "cpu1"};
  cpu.set_counter(MetricId::CpuUser, cpu1_user, 0.5);
  model::Component cg{.kind = ComponentKind::Cgroup, .id = kOddCgroup};
  cg.set_gauge(MetricId::CgMemCurrent, 64 << 20);
  model::HistogramSample h{MetricId::SchedRunqLatency, {}, {}};
  for (int i = 0; i < 1000; ++i) h.total.record(1'000'000);
  cg.histograms.push_back(h);
  s.components = {host, cpu, cg};
  return s;
}

json get_json(httplib::Client& cli, const std::string& path, const httplib::Params& params = {}) {
  auto res = cli.Get(path, params, httplib::Headers{});
  if (!res || res->status != 200) return json();
  return json::parse(res->body, nullptr, false);
}

json query(httplib::Client& cli, const std::string& promql) {
  return get_json(cli, "/api/v1/query", {{"query", promql}});
}

// Polls until `pred` holds for the query's result vector, or the deadline.
json wait_for_query(httplib::Client& cli, const std::string& promql,
                    const std::function<bool(const json&)>& pred, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  json r;
  while (std::chrono::steady_clock::now() < deadline) {
    r = query(cli, promql);
    if (r.is_object() && r.value("status", "") == "success" && pred(r["data"]["result"]))
      return r["data"]["result"];
    std::this_thread::sleep_for(200ms);
  }
  return r;
}

double sample_value(const json& result) {
  return std::stod(result[0]["value"][1].get<std::string>());
}

TEST(PrometheusPeer, RealPrometheusScrapesAndQueriesTheExporter) {
  ASSERT_EQ(testing::run_command({"sh", "-c", "command -v prometheus"}, "/", "/dev/null"), 0)
      << "the prometheus server is not installed: run scripts/setup-deps.sh --with-tests";

  PrometheusServer exporter({"127.0.0.1", 0});
  exporter.publish(workload_snapshot(6));

  testing::TempDir dir;
  const int prom_port = testing::free_loopback_port();
  std::ofstream(dir.path() / "prometheus.yml")
      << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
      << "scrape_configs:\n  - job_name: kpulse\n    static_configs:\n"
      << "      - targets: ['127.0.0.1:" << exporter.port() << "']\n";
  const auto log = dir.path() / "prometheus.log";
  testing::PeerProcess prom(
      {"prometheus", "--config.file=" + (dir.path() / "prometheus.yml").string(),
       "--storage.tsdb.path=" + (dir.path() / "data").string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(prom_port), "--log.level=warn"},
      dir.path(), log);
  httplib::Client cli("127.0.0.1", prom_port);
  cli.set_connection_timeout(1);

  // The target is up once it was scraped without error.
  json target;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    json t = get_json(cli, "/api/v1/targets");
    if (t.is_object() && !t["data"]["activeTargets"].empty() &&
        t["data"]["activeTargets"][0]["health"] == "up") {
      target = t["data"]["activeTargets"][0];
      break;
    }
    ASSERT_TRUE(prom.running()) << "prometheus exited:\n" << testing::read_file(log);
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(target.is_object()) << "target never came up\n" << testing::read_file(log);
  EXPECT_EQ(target["lastError"], "");
  EXPECT_EQ(target["scrapeUrl"],
            "http://127.0.0.1:" + std::to_string(exporter.port()) + "/metrics");

  json r = wait_for_query(
      cli, "kpulse_cpu_time_user_seconds_total{cpu=\"1\"}",
      [](const json& res) { return res.size() == 1; }, 30s);
  ASSERT_EQ(r.size(), 1u) << r.dump();
  EXPECT_EQ(r[0]["metric"]["job"], "kpulse");
  EXPECT_DOUBLE_EQ(sample_value(r), 6);

  // The next interval's snapshot is what the next scrape sees.
  exporter.publish(workload_snapshot(8.25));
  r = wait_for_query(
      cli, "kpulse_cpu_time_user_seconds_total{cpu=\"1\"}",
      [](const json& res) { return res.size() == 1 && sample_value(res) == 8.25; }, 30s);
  ASSERT_EQ(r.size(), 1u) << r.dump();
  EXPECT_DOUBLE_EQ(sample_value(r), 8.25);

  // Escaped label values arrive intact.
  r = wait_for_query(
      cli, "kpulse_cgroup_memory_current_bytes", [](const json& res) { return res.size() == 1; },
      10s);
  ASSERT_EQ(r.size(), 1u) << r.dump();
  EXPECT_EQ(r[0]["metric"]["cgroup"], kOddCgroup);
  EXPECT_DOUBLE_EQ(sample_value(r), 64 << 20);

  // The 1 ms workload's median lies in the bucket that holds 1 ms.
  r = wait_for_query(
      cli, "histogram_quantile(0.5, kpulse_sched_runq_latency_seconds_bucket)",
      [](const json& res) { return res.size() == 1; }, 10s);
  ASSERT_EQ(r.size(), 1u) << r.dump();
  const double median = sample_value(r);
  EXPECT_GT(median, 524287e-9);
  EXPECT_LE(median, 1048575e-9);
  std::printf(
      "prometheus: histogram_quantile(0.5, kpulse_sched_runq_latency_seconds_bucket) = %g\n",
      median);
  r = query(cli, "kpulse_sched_runq_latency_seconds_count")["data"]["result"];
  ASSERT_EQ(r.size(), 1u);
  EXPECT_DOUBLE_EQ(sample_value(r), 1000);
  std::printf("prometheus: kpulse_cgroup_memory_current_bytes -> %s\n",
              query(cli, "kpulse_cgroup_memory_current_bytes")["data"]["result"].dump().c_str());
  EXPECT_GE(exporter.scrapes(), 2u);
}

TEST(PrometheusPeer, ServesTheExpositionOverHttp) {
  PrometheusServer exporter({"127.0.0.1", 0});
  httplib::Client cli("127.0.0.1", exporter.port());
  auto res = cli.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "");  // nothing published yet
  exporter.publish(workload_snapshot(1));
  res = cli.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(res->body.find("kpulse_cpu_time_user_seconds_total{cpu=\"1\"} 1\n"), std::string::npos);
  EXPECT_EQ(exporter.scrapes(), 2u);
}

TEST(PrometheusPeer, BindFailureNamesTheAddress) {
  PrometheusServer first({"127.0.0.1", 0});
  try {
    PrometheusServer second({"127.0.0.1", first.port()});
    FAIL() << "second bind on the same port succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace kpulse::exporters
