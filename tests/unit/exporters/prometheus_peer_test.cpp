// A real Prometheus server (Debian's `prometheus`) scrapes the exporter on
// loopback; the test reads the result back through Prometheus' HTTP API.
#include <gtest/gtest.h>
#include <httplib.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
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

// A prometheus server on a free loopback port scraping `target_port` every
// second, with its config and storage in a temporary directory.
class PrometheusProcess {
 public:
  explicit PrometheusProcess(int target_port)
      : port_(testing::free_loopback_port()), log_(dir_.path() / "prometheus.log") {
    std::ofstream(dir_.path() / "prometheus.yml")
        << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        << "scrape_configs:\n  - job_name: kpulse\n    static_configs:\n"
        << "      - targets: ['127.0.0.1:" << target_port << "']\n";
    proc_ = std::make_unique<testing::PeerProcess>(
        std::vector<std::string>{
            "prometheus", "--config.file=" + (dir_.path() / "prometheus.yml").string(),
            "--storage.tsdb.path=" + (dir_.path() / "data").string(),
            "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"},
        dir_.path(), log_);
    cli_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    cli_->set_connection_timeout(1);
  }
  ~PrometheusProcess() { proc_.reset(); }  // kill it before its directory goes

  // The scrape target once it is up (null json if it never came up).
  json wait_until_up(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline && proc_->running()) {
      json t = get_json(*cli_, "/api/v1/targets");
      if (t.is_object() && !t["data"]["activeTargets"].empty() &&
          t["data"]["activeTargets"][0]["health"] == "up")
        return t["data"]["activeTargets"][0];
      std::this_thread::sleep_for(200ms);
    }
    return json();
  }
  httplib::Client& client() { return *cli_; }
  std::string log() const { return testing::read_file(log_); }

 private:
  testing::TempDir dir_;
  int port_;
  std::filesystem::path log_;
  std::unique_ptr<testing::PeerProcess> proc_;
  std::unique_ptr<httplib::Client> cli_;
};

bool prometheus_installed() {
  return testing::run_command({"sh", "-c", "command -v prometheus"}, "/", "/dev/null") == 0;
}

// This process's own CPU time (utime + stime from /proc/self/stat), seconds.
double own_cpu_seconds() {
  std::istringstream in(testing::read_file("/proc/self/stat"));
  std::vector<std::string> f;
  for (std::string field; in >> field;) f.push_back(field);
  // Fields 14 and 15; the test binary's comm has no spaces to shift them.
  return (std::stod(f[13]) + std::stod(f[14])) / double(sysconf(_SC_CLK_TCK));
}

TEST(PrometheusPeer, RealPrometheusScrapesAndQueriesTheExporter) {
  ASSERT_TRUE(prometheus_installed())
      << "the prometheus server is not installed: run scripts/setup-deps.sh --with-tests";

  PrometheusServer exporter({"127.0.0.1", 0});
  exporter.publish(workload_snapshot(6));

  PrometheusProcess prometheus(exporter.port());
  httplib::Client& cli = prometheus.client();
  const json target = prometheus.wait_until_up(60s);
  ASSERT_TRUE(target.is_object()) << "target never came up\n" << prometheus.log();
  EXPECT_EQ(target["lastError"], "");
  EXPECT_EQ(target["scrapeUrl"],
            "http://127.0.0.1:" + std::to_string(exporter.port()) + "/metrics");

  json r = wait_for_query(
      cli, "kpulse_cpu_time_seconds_total{cpu=\"1\",mode=\"user\"}",
      [](const json& res) { return res.size() == 1; }, 30s);
  ASSERT_EQ(r.size(), 1u) << r.dump();
  EXPECT_EQ(r[0]["metric"]["job"], "kpulse");
  EXPECT_DOUBLE_EQ(sample_value(r), 6);

  // The next interval's snapshot is what the next scrape sees.
  exporter.publish(workload_snapshot(8.25));
  r = wait_for_query(
      cli, "kpulse_cpu_time_seconds_total{cpu=\"1\",mode=\"user\"}",
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

TEST(PrometheusPeer, RateOfARealCpuBurnIsPlausible) {
  ASSERT_TRUE(prometheus_installed())
      << "the prometheus server is not installed: run scripts/setup-deps.sh --with-tests";
  PrometheusServer exporter({"127.0.0.1", 0});
  const std::string pid = std::to_string(getpid());
  auto publish_own_cpu = [&] {
    model::Snapshot s;
    model::Component proc{.kind = ComponentKind::Process, .id = pid, .name = "burner"};
    proc.set_counter(MetricId::ProcCpuTime, own_cpu_seconds(), 0);
    s.components.push_back(proc);
    exporter.publish(s);
  };
  publish_own_cpu();
  PrometheusProcess prometheus(exporter.port());
  ASSERT_TRUE(prometheus.wait_until_up(60s).is_object()) << prometheus.log();

  // The known workload: one thread spinning for 6 s, about one CPU second per
  // second (less when the machine is busy), published every 200 ms.
  std::atomic<bool> stop{false};
  std::thread burner([&] {
    volatile uint64_t x = 0;
    while (!stop) x = x + 1;
  });
  const double cpu_before = own_cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - t0 < 6s) {
    publish_own_cpu();
    std::this_thread::sleep_for(200ms);
  }
  const double measured = (own_cpu_seconds() - cpu_before) / 6.0;
  const json r = wait_for_query(
      prometheus.client(), "rate(kpulse_process_cpu_time_seconds_total{pid=\"" + pid + "\"}[4s])",
      [](const json& res) { return res.size() == 1; }, 10s);
  stop = true;
  burner.join();
  ASSERT_EQ(r.size(), 1u) << r.dump();
  EXPECT_EQ(r[0]["metric"]["comm"], "burner");
  const double rate = sample_value(r);
  std::printf(
      "prometheus: rate(kpulse_process_cpu_time_seconds_total{pid=\"%s\"}[4s]) = %.3f "
      "(the test measured %.3f CPU s/s)\n",
      pid.c_str(), rate, measured);
  // How much CPU the burner gets depends on the machine's load; what
  // Prometheus computes must match what the process itself measured.
  EXPECT_GT(rate, 0.02);
  EXPECT_LT(rate, 1.6);  // one spinning thread plus the test's own work
  EXPECT_NEAR(rate, measured, 0.35 * std::max(measured, 0.3));
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
  EXPECT_NE(
      res->body.find("kpulse_cpu_time_seconds_total{cpu=\"1\",level=\"cpu\",mode=\"user\"} 1\n"),
      std::string::npos);
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
