// Listeners and exited tasks are catalog components, so the exporters carry
// them with no code of their own: a socket this test listens on reaches the
// Prometheus page and the OTLP metrics (decoded by the official definitions,
// tests/peers/otlp-receiver) with its identity labels, and a short-lived
// process that exits becomes one OTLP log record (never a series).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include <httplib.h>

#include "engine/collector.h"
#include "exporters/export_pipeline.h"
#include "otlp_receiver.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

// OTLP/JSON writes int64 attributes as strings or numbers: read both as text.
std::map<std::string, std::string> attribute_text(const json& kvs) {
  std::map<std::string, std::string> m;
  for (const auto& kv : kvs) {
    const json& v = kv["value"];
    if (v.contains("stringValue")) {
      m[kv["key"]] = v["stringValue"].get<std::string>();
    } else if (v.contains("intValue")) {
      m[kv["key"]] = v["intValue"].is_string() ? v["intValue"].get<std::string>()
                                               : std::to_string(v["intValue"].get<int64_t>());
    }
  }
  return m;
}

const json* entry_at(const std::vector<json>& entries, std::string_view path) {
  for (const auto& e : entries)
    if (e["path"] == path) return &e;
  return nullptr;
}

// A TCP socket listening on 127.0.0.1 at a free port with a backlog of 7.
class Listening {
 public:
  Listening() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::listen(fd_, 7) == 0 && ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port_ = ntohs(addr.sin_port);
  }
  ~Listening() {
    if (fd_ >= 0) ::close(fd_);
  }
  Listening(const Listening&) = delete;
  Listening& operator=(const Listening&) = delete;
  [[nodiscard]] int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(ExportComponents, ListenerReachesBothExportersAndAnExitIsOneLogRecord) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  exporters::testing::ensure_receiver_installed();
  TestCgroup cg("exp-exit");
  Listening listening;
  ASSERT_NE(listening.port(), 0) << "could not listen on 127.0.0.1";
  const std::string port = std::to_string(listening.port());
  struct stat ns {};
  ASSERT_EQ(::stat("/proc/self/ns/net", &ns), 0);
  const std::string netns = std::to_string(ns.st_ino);

  engine::CollectorOptions co;
  co.interval = 1000ms;
  co.probe_groups = {"sched", "net"};
  engine::Collector collector(co);
  collector.collect_now();
  Child child("exit 3", &cg);
  const pid_t child_pid = child.pid();  // wait() forgets it
  ASSERT_EQ(child.wait(30s), 3);
  const model::Snapshot snap = collector.collect_now();

  exporters::testing::TempDir dir;
  exporters::testing::Receiver rx(dir.path() / "requests.jsonl");
  exporters::ExportOptions opts;
  opts.prometheus = exporters::ListenAddress{"127.0.0.1", 0};
  exporters::SenderOptions so;
  so.config.metrics.url = rx.url("/v1/metrics");
  so.config.logs.url = rx.url("/v1/logs");
  so.config.metrics.timeout = so.config.logs.timeout = 5000ms;
  opts.otlp = so;
  exporters::ExportPipeline pipeline(std::move(opts));
  pipeline.push(snap);
  ASSERT_TRUE(pipeline.flush(20s)) << pipeline.summary();

  // Prometheus: the backlog gauge under the listener's identity labels; no
  // series for the exited task.
  httplib::Client cli("127.0.0.1", pipeline.prometheus_port());
  auto res = cli.Get("/metrics");
  ASSERT_TRUE(res);
  const std::string want = "kpulse_tcp_listen_backlog{netns=\"" + netns +
                           "\",address=\"127.0.0.1\",port=\"" + port + "\"} 7\n";
  EXPECT_NE(res->body.find(want), std::string::npos) << want << " not in:\n" << res->body;
  EXPECT_NE(
      res->body.find("kpulse_tcp_listen_overflows_total{netns=\"" + netns +
                     "\",address=\"127.0.0.1\",port=\"" + port + "\",level=\"listener\"} 0\n"),
      std::string::npos);
  EXPECT_EQ(res->body.find("kpulse_exited"), std::string::npos);

  const auto entries = rx.entries();
  // OTLP metrics: the same gauge, with the semantic-convention attributes.
  const json* metrics = entry_at(entries, "/v1/metrics");
  ASSERT_NE(metrics, nullptr);
  bool found_backlog = false;
  for (const auto& m : metrics->at("request")["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]) {
    if (m["name"] != "kpulse.tcp.listen_backlog") continue;
    for (const auto& p : m["gauge"]["dataPoints"]) {
      auto a = attribute_text(p["attributes"]);
      if (a["network.local.port"] != port) continue;
      found_backlog = true;
      EXPECT_EQ(a["network.local.address"], "127.0.0.1");
      EXPECT_EQ(a["kpulse.netns"], netns);
      EXPECT_EQ(p["asDouble"], 7.0);
    }
  }
  EXPECT_TRUE(found_backlog) << "no kpulse.tcp.listen_backlog point for port " << port;

  // OTLP logs: one record for the exit, with what the task used.
  const json* logs = entry_at(entries, "/v1/logs");
  ASSERT_NE(logs, nullptr) << "no log request";
  int records = 0;
  for (const auto& r : logs->at("request")["resourceLogs"][0]["scopeLogs"][0]["logRecords"]) {
    auto a = attribute_text(r["attributes"]);
    if (a["kpulse.cgroup"] != cg.path()) continue;
    ++records;
    EXPECT_EQ(a["process.pid"], std::to_string(child_pid));
    EXPECT_EQ(a["process.executable.name"], "sh");
    EXPECT_EQ(a["kpulse.exited.exit_code"], "768");  // wait status of exit(3)
    EXPECT_TRUE(a.count("kpulse.exited.lifetime"));
    EXPECT_TRUE(a.count("kpulse.exited.cpu_time"));
    EXPECT_EQ(r["body"]["stringValue"].get<std::string>().rfind("exited sh [", 0), 0u);
  }
  EXPECT_EQ(records, 1) << logs->dump();
}

}  // namespace
}  // namespace kpulse::testing
