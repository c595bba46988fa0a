// The daemon's OTLP, decoded by the official definitions
// (tests/peers/otlp-receiver): the full resource, every OTEL_* variable of the
// service's environment, one push per export interval with the collection
// intervals in between merged, and a clear refusal of PROTOCOL=grpc.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "otlp_receiver.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
namespace fs = std::filesystem;
const std::string kBin = KPULSE_BINARY;

std::map<std::string, std::string> string_attributes(const json& kvs) {
  std::map<std::string, std::string> m;
  for (const auto& kv : kvs)
    m[kv["key"]] = kv["value"].contains("stringValue")
                       ? kv["value"]["stringValue"].get<std::string>()
                       : kv["value"].dump();
  return m;
}

// Time of the first data point of a request's first metric.
uint64_t point_time_ns(const json& entry) {
  const json& m = entry["request"]["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0];
  for (const char* kind : {"sum", "gauge", "exponentialHistogram", "histogram"})
    if (m.contains(kind))
      return std::stoull(m[kind]["dataPoints"][0]["timeUnixNano"].get<std::string>());
  return 0;
}

struct TempState {
  fs::path dir = fs::temp_directory_path() / ("kpulse_daemon_otlp_" + std::to_string(getpid()));
  TempState() { fs::create_directories(dir); }
  ~TempState() { fs::remove_all(dir); }
};

void write_config(const fs::path& path, const fs::path& state, double export_interval) {
  std::ofstream out(path);
  out << "[collection]\ninterval = 0.25\nbpf = false\n"
      << "[daemon]\nstatus_interval = 0\n"
      << "[state]\ndir = \"" << state.string() << "\"\n"
      << "[record]\nenabled = false\n"
      << "[analytics]\nenabled = false\n"
      << "[export.otlp]\nenabled = true\ninterval = " << export_interval << "\n";
}

TEST(DaemonOtlp, FullResourceEveryVariableAndOnePushPerExportInterval) {
  exporters::testing::ensure_receiver_installed();
  TempState state;
  exporters::testing::Receiver rx(state.dir / "requests.jsonl");
  const fs::path config = state.dir / "kpulse.toml";
  write_config(config, state.dir, 1.0);
  const std::string log = (state.dir / "stderr.log").string();
  const std::string env =
      "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:" + std::to_string(rx.port()) +
      " OTEL_EXPORTER_OTLP_HEADERS='authorization=Bearer%20fleet-token,x-tenant=generic'"
      " OTEL_EXPORTER_OTLP_METRICS_HEADERS=x-tenant=metrics"
      " OTEL_EXPORTER_OTLP_COMPRESSION=gzip"
      " OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"
      " OTEL_EXPORTER_OTLP_TIMEOUT=4000"
      " OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta"
      " OTEL_RESOURCE_ATTRIBUTES=deployment.environment=daemon-test,k8s.node.name=node-7"
      " OTEL_SERVICE_NAME=kpulse-fleet";
  std::vector<json> metrics;
  {
    Child daemon("exec env -u JOURNAL_STREAM " + env + " " + kBin + " run --config " +
                     config.string() + " 2>" + log,
                 nullptr);
    // Start-up takes seconds on a busy host: wait for four pushes.
    const auto deadline = std::chrono::steady_clock::now() + 90s;
    while (std::chrono::steady_clock::now() < deadline) {
      metrics.clear();
      for (const auto& e : rx.entries())
        if (e["path"] == "/v1/metrics") metrics.push_back(e);
      if (metrics.size() >= 4) break;
      std::this_thread::sleep_for(200ms);
    }
    ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0);
    EXPECT_EQ(daemon.wait(20s), 0) << slurp(log);
  }
  ASSERT_GE(metrics.size(), 4u) << slurp(log);
  // Snapshots every 0.25 s, pushes once per 1 s export interval: the points
  // of consecutive pushes are a second of snapshot time apart, not 0.25 s.
  for (size_t i = 2; i < 4; ++i) {
    const double gap_s = double(point_time_ns(metrics[i]) - point_time_ns(metrics[i - 1])) / 1e9;
    EXPECT_GE(gap_s, 0.95) << "push " << i;
  }

  for (const auto& e : metrics) {
    ASSERT_EQ(e["status"], 200) << e.dump().substr(0, 2000);
    EXPECT_EQ(e["contentEncoding"], "gzip");
    EXPECT_EQ(e["headers"]["authorization"], "Bearer fleet-token");
    EXPECT_EQ(e["headers"]["x-tenant"], "metrics");
    EXPECT_TRUE(e["headers"]["user-agent"].get<std::string>().starts_with("kpulse/"));
  }

  const json& req = metrics[2]["request"];
  const auto res = string_attributes(req["resourceMetrics"][0]["resource"]["attributes"]);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  EXPECT_EQ(res.at("host.name"), host);
  EXPECT_EQ(res.at("os.type"), "linux");
  EXPECT_EQ(res.at("service.name"), "kpulse-fleet");
  EXPECT_FALSE(res.at("service.version").empty());
  EXPECT_FALSE(res.at("host.arch").empty());
  EXPECT_EQ(res.at("deployment.environment"), "daemon-test");
  EXPECT_EQ(res.at("k8s.node.name"), "node-7");
  if (fs::exists("/etc/machine-id")) {
    EXPECT_EQ(res.at("host.id").size(), 32u);
    EXPECT_EQ(res.at("service.instance.id").size(), 36u);  // the machine id as a UUID
  } else {
    EXPECT_FALSE(res.at("service.instance.id").empty());
  }

  // Delta temporality over a 1 s export interval of four 0.25 s snapshots:
  // the host's CPU time over all modes is about (CPUs x 1 s), not 0.25 s.
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  double host_cpu = 0;
  uint64_t start = 0, time = 0;
  for (const auto& m : req["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]) {
    if (m["name"] != "system.cpu.time") continue;
    EXPECT_EQ(m["sum"]["aggregationTemporality"], "AGGREGATION_TEMPORALITY_DELTA");
    for (const auto& dp : m["sum"]["dataPoints"]) {
      if (string_attributes(dp["attributes"]).count("cpu.logical_number")) continue;
      host_cpu += dp["asDouble"].get<double>();
      start = std::stoull(dp["startTimeUnixNano"].get<std::string>());
      time = std::stoull(dp["timeUnixNano"].get<std::string>());
    }
  }
  const double span_s = double(time - start) / 1e9;
  EXPECT_GT(span_s, 0.7) << "delta points span the export interval";
  EXPECT_LT(span_s, 1.6);
  EXPECT_GT(host_cpu, 0.6 * double(cpus) * span_s) << "cpus " << cpus;
  EXPECT_LT(host_cpu, 1.3 * double(cpus) * span_s) << "cpus " << cpus;
}

TEST(DaemonOtlp, GrpcProtocolIsRefusedNamingTheVariable) {
  TempState state;
  const fs::path config = state.dir / "kpulse.toml";
  write_config(config, state.dir, 1.0);
  const std::string log = (state.dir / "stderr.log").string();
  Child daemon("exec env -u JOURNAL_STREAM OTEL_EXPORTER_OTLP_PROTOCOL=grpc " + kBin +
                   " run --config " + config.string() + " 2>" + log,
               nullptr);
  EXPECT_NE(daemon.wait(30s), 0) << slurp(log);
  EXPECT_NE(slurp(log).find("OTEL_EXPORTER_OTLP_PROTOCOL=grpc"), std::string::npos) << slurp(log);
}

}  // namespace
}  // namespace kpulse::testing
