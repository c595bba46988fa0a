// OTLP/HTTP export to a receiver that decodes with the official
// opentelemetry-proto definitions (tests/peers/otlp-receiver, a Node script
// using the protobufjs root shipped by @opentelemetry/otlp-transformer).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include <httplib.h>

#include "exporters/export_pipeline.h"
#include "exporters/otlp_encoder.h"
#include "exporters/otlp_sender.h"
#include "exporters/resource.h"
#include "exporters/self_metrics.h"
#include "otlp_receiver.h"
#include "peer_process.h"

namespace kpulse::exporters {
namespace {

using json = nlohmann::json;
using model::ComponentKind;
using model::MetricId;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using testing::ensure_receiver_installed;
using testing::Receiver;

model::Snapshot sample_snapshot(int64_t time_ns) {
  model::Snapshot s;
  s.time_ns = time_ns;
  s.interval_s = 1;
  model::Component cpu{.kind = ComponentKind::Cpu, .id = "cpu3"};
  cpu.set_counter(MetricId::CpuUser, 12.5, 0.5);
  cpu.set_counter(MetricId::CpuIrq, 0.25, 0);
  model::Component disk{.kind = ComponentKind::Disk, .id = "sda"};
  disk.set_counter(MetricId::DiskReadBytes, 1 << 20, 4096);
  disk.set_gauge(MetricId::DiskUtilization, 0.5);
  model::HistogramSample h{MetricId::BlkDeviceLatency, {}, {}};
  for (int i = 0; i < 7; ++i) h.total.record(100'000);  // slot 16
  h.total.record(3'000'000);                            // slot 21
  disk.histograms.push_back(h);
  model::Component proc{.kind = ComponentKind::Process, .id = "4242", .name = "postgres"};
  proc.set_counter(MetricId::ProcCpuTime, 3.5, 0.1);
  s.components = {cpu, disk, proc};
  return s;
}

KeyValues test_resource() {
  std::vector<std::string> warnings;
  return resource_attributes(
      {"peer-test-host", "/etc/machine-id", ""},
      [](const char* n) -> const char* {
        return std::string_view(n) == "OTEL_RESOURCE_ATTRIBUTES"
                   ? "deployment.environment=peer-test"
                   : nullptr;
      },
      warnings);
}

SenderOptions sender_to(const Receiver& r) {
  SenderOptions o;
  o.config.metrics.url = r.url("/v1/metrics");
  o.config.logs.url = r.url("/v1/logs");
  o.config.metrics.timeout = o.config.logs.timeout = 5000ms;
  o.retry.initial_backoff = 10ms;
  o.retry.max_backoff = 100ms;
  return o;
}

std::map<std::string, json> attributes(const json& kvs) {
  std::map<std::string, json> m;
  for (const auto& kv : kvs) m[kv["key"]] = kv["value"];
  return m;
}

const json* find_metric(const json& request, std::string_view name) {
  for (const auto& m : request["resourceMetrics"][0]["scopeMetrics"][0]["metrics"])
    if (m["name"] == name) return &m;
  return nullptr;
}

class OtlpPeer : public ::testing::Test {
 protected:
  void SetUp() override { ensure_receiver_installed(); }
  testing::TempDir dir_;
};

TEST_F(OtlpPeer, OfficialDefinitionsDecodeNamesTypesUnitsBucketsAndResource) {
  Receiver rx(dir_.path() / "requests.jsonl");
  OtlpSender sender(sender_to(rx));
  OtlpMetricsEncoder enc({Temporality::Cumulative, test_resource(), HistogramForm::Explicit});
  sender.submit(Signal::Metrics,
                enc.encode(sample_snapshot(1'700'000'000'000'000'000)).SerializeAsString());
  ASSERT_TRUE(sender.flush(20s));
  EXPECT_EQ(sender.stats().sent, 1u) << sender.last_error();

  const auto entries = rx.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["path"], "/v1/metrics");
  EXPECT_EQ(entries[0]["headers"]["user-agent"], otlp_user_agent());
  EXPECT_EQ(entries[0]["contentType"], "application/x-protobuf");
  ASSERT_EQ(entries[0]["status"], 200) << entries[0].dump();
  const json& req = entries[0]["request"];

  auto res = attributes(req["resourceMetrics"][0]["resource"]["attributes"]);
  EXPECT_EQ(res["service.name"]["stringValue"], "kpulse");
  EXPECT_EQ(res["service.version"]["stringValue"], std::string(kpulse_version()));
  EXPECT_EQ(res["host.name"]["stringValue"], "peer-test-host");
  EXPECT_EQ(res["os.type"]["stringValue"], "linux");
  EXPECT_EQ(res["deployment.environment"]["stringValue"], "peer-test");
  if (fs::exists("/etc/machine-id")) {
    EXPECT_TRUE(res.count("host.id"));
  }
  EXPECT_EQ(req["resourceMetrics"][0]["scopeMetrics"][0]["scope"]["name"], "kpulse");

  const json* cpu = find_metric(req, "system.cpu.time");
  ASSERT_NE(cpu, nullptr) << req.dump();
  EXPECT_EQ((*cpu)["unit"], "s");
  ASSERT_TRUE(cpu->contains("sum"));
  EXPECT_EQ((*cpu)["sum"]["aggregationTemporality"], "AGGREGATION_TEMPORALITY_CUMULATIVE");
  EXPECT_EQ((*cpu)["sum"]["isMonotonic"], true);
  ASSERT_EQ((*cpu)["sum"]["dataPoints"].size(), 2u);
  std::set<std::string> modes;
  for (const auto& dp : (*cpu)["sum"]["dataPoints"]) {
    auto a = attributes(dp["attributes"]);
    modes.insert(a["cpu.mode"]["stringValue"]);
    EXPECT_EQ(a["cpu.logical_number"]["intValue"], "3");
  }
  EXPECT_EQ(modes, (std::set<std::string>{"user", "interrupt"}));

  const json* io = find_metric(req, "system.disk.io");
  ASSERT_NE(io, nullptr);
  EXPECT_EQ((*io)["unit"], "By");
  auto io_attrs = attributes((*io)["sum"]["dataPoints"][0]["attributes"]);
  EXPECT_EQ(io_attrs["disk.io.direction"]["stringValue"], "read");
  EXPECT_EQ(io_attrs["system.device"]["stringValue"], "sda");
  EXPECT_EQ((*io)["sum"]["dataPoints"][0]["asDouble"], double(1 << 20));

  const json* util = find_metric(req, "kpulse.disk.utilization");
  ASSERT_NE(util, nullptr);
  EXPECT_EQ((*util)["unit"], "1");
  ASSERT_TRUE(util->contains("gauge"));
  EXPECT_EQ((*util)["gauge"]["dataPoints"][0]["asDouble"], 0.5);

  const json* pcpu = find_metric(req, "process.cpu.time");
  ASSERT_NE(pcpu, nullptr);
  auto pa = attributes((*pcpu)["sum"]["dataPoints"][0]["attributes"]);
  EXPECT_EQ(pa["process.pid"]["intValue"], "4242");
  EXPECT_EQ(pa["process.executable.name"]["stringValue"], "postgres");

  const json* lat = find_metric(req, "kpulse.block.device_latency");
  ASSERT_NE(lat, nullptr);
  EXPECT_EQ((*lat)["unit"], "s");
  ASSERT_TRUE(lat->contains("histogram"));
  const json& dp = (*lat)["histogram"]["dataPoints"][0];
  EXPECT_EQ(dp["count"], "8");
  EXPECT_DOUBLE_EQ(dp["sum"].get<double>(), 3'700'000e-9);
  ASSERT_EQ(dp["bucketCounts"].size(), size_t(model::kHistogramSlots));
  ASSERT_EQ(dp["explicitBounds"].size(), size_t(model::kHistogramSlots - 1));
  EXPECT_EQ(dp["bucketCounts"][16], "7");
  EXPECT_EQ(dp["bucketCounts"][21], "1");
  uint64_t total = 0;
  for (const auto& c : dp["bucketCounts"]) total += std::stoull(c.get<std::string>());
  EXPECT_EQ(total, 8u);
  // 100 us lies in bucket 16: (bounds[15], bounds[16]].
  EXPECT_LT(dp["explicitBounds"][15].get<double>(), 100e-6);
  EXPECT_GE(dp["explicitBounds"][16].get<double>(), 100e-6);

  // The excerpt the closing note quotes.
  std::printf("decoded by the official definitions (excerpt):\n%s\n",
              json{{"resource", req["resourceMetrics"][0]["resource"]},
                   {"system.cpu.time", *cpu},
                   {"kpulse.block.device_latency", *lat}}
                  .dump(1)
                  .substr(0, 6000)
                  .c_str());
}

// The default histogram form: log2 slots as an ExponentialHistogram at scale
// 0 in ns, only the occupied range, read back by the official definitions.
TEST_F(OtlpPeer, LatencyHistogramsAreExponentialAtScaleZero) {
  Receiver rx(dir_.path() / "requests.jsonl");
  OtlpSender sender(sender_to(rx));
  OtlpMetricsEncoder enc({Temporality::Cumulative, test_resource()});
  sender.submit(Signal::Metrics,
                enc.encode(sample_snapshot(1'700'000'000'000'000'000)).SerializeAsString());
  ASSERT_TRUE(sender.flush(20s));
  const auto entries = rx.entries();
  ASSERT_EQ(entries.size(), 1u);
  ASSERT_EQ(entries[0]["status"], 200) << entries[0].dump();
  const json* lat = find_metric(entries[0]["request"], "kpulse.block.device_latency");
  ASSERT_NE(lat, nullptr);
  EXPECT_EQ((*lat)["unit"], "ns");
  ASSERT_TRUE(lat->contains("exponentialHistogram")) << lat->dump();
  const json& dp = (*lat)["exponentialHistogram"]["dataPoints"][0];
  EXPECT_EQ(dp.value("scale", 0), 0);
  EXPECT_EQ(dp["count"], "8");
  EXPECT_DOUBLE_EQ(dp["sum"].get<double>(), 3'700'000.0);
  // 7 x 100 us in slot 16, 1 x 3 ms in slot 21: buckets 16..21.
  EXPECT_EQ(dp["positive"]["offset"], 16);
  const json& counts = dp["positive"]["bucketCounts"];
  ASSERT_EQ(counts.size(), 6u) << dp.dump();
  EXPECT_EQ(counts[0], "7");
  EXPECT_EQ(counts[5], "1");
  // Bucket 16 at scale 0 is (2^16, 2^17] ns: 100 us = 100000 ns lies in it.
  EXPECT_GT(100000.0, std::pow(2.0, 16));
  EXPECT_LE(100000.0, std::pow(2.0, 17));
}

TEST_F(OtlpPeer, GzipBodiesAndLogRecords) {
  Receiver rx(dir_.path() / "requests.jsonl");
  SenderOptions o = sender_to(rx);
  o.config.metrics.gzip = o.config.logs.gzip = true;
  o.config.metrics.headers = o.config.logs.headers = {{"x-kpulse-test", "yes"}};
  OtlpSender sender(o);
  OtlpMetricsEncoder enc({Temporality::Delta, test_resource()});
  sender.submit(Signal::Metrics,
                enc.encode(sample_snapshot(1'700'000'000'000'000'000)).SerializeAsString());
  std::vector<ExportEvent> events{{1'700'000'000'500'000'000,
                                   EventSeverity::Warn,
                                   "kpulse.alert",
                                   "disk sda saturated",
                                   {{"system.device", "sda"}}}};
  sender.submit(Signal::Logs, encode_events(events, test_resource()).SerializeAsString());
  ASSERT_TRUE(sender.flush(20s));
  EXPECT_EQ(sender.stats().sent, 2u) << sender.last_error();

  const auto entries = rx.entries();
  ASSERT_EQ(entries.size(), 2u);
  for (const auto& e : entries) {
    EXPECT_EQ(e["contentEncoding"], "gzip");
    EXPECT_EQ(e["headers"]["x-kpulse-test"], "yes");
    ASSERT_EQ(e["status"], 200) << e.dump();
  }
  const json* cpu = find_metric(entries[0]["request"], "system.cpu.time");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ((*cpu)["sum"]["aggregationTemporality"], "AGGREGATION_TEMPORALITY_DELTA");
  EXPECT_EQ((*cpu)["sum"]["dataPoints"][0]["asDouble"], 0.5);

  EXPECT_EQ(entries[1]["path"], "/v1/logs");
  const json& rec = entries[1]["request"]["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
  EXPECT_EQ(rec["severityNumber"], "SEVERITY_NUMBER_WARN");
  EXPECT_EQ(rec["severityText"], "WARN");
  EXPECT_EQ(rec["body"]["stringValue"], "disk sda saturated");
  EXPECT_EQ(rec["timeUnixNano"], "1700000000500000000");
  EXPECT_EQ(attributes(rec["attributes"])["system.device"]["stringValue"], "sda");
}

TEST_F(OtlpPeer, RetriesHonourRetryAfterAndLoseNothing) {
  // The receiver answers the first three requests 503 with Retry-After: 1.
  Receiver rx(dir_.path() / "requests.jsonl", {"--fail-first", "3", "--retry-after", "1"});
  OtlpSender sender(sender_to(rx));  // own backoff: 10 ms, so waits of ~1 s are the receiver's
  OtlpMetricsEncoder enc({Temporality::Cumulative, test_resource()});
  std::set<std::string> submitted;
  for (int i = 0; i < 4; ++i) {
    const int64_t t = 1'700'000'000'000'000'000 + i * 1'000'000'000LL;
    submitted.insert(std::to_string(t));
    sender.submit(Signal::Metrics, enc.encode(sample_snapshot(t)).SerializeAsString());
  }
  ASSERT_TRUE(sender.flush(60s));
  const ExportStats st = sender.stats();
  EXPECT_EQ(st.sent, 4u);
  EXPECT_EQ(st.retries, 3u);
  EXPECT_EQ(st.failed, 0u);
  EXPECT_EQ(st.dropped, 0u);

  const auto entries = rx.entries();
  ASSERT_EQ(entries.size(), 7u);
  std::set<std::string> received;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i < 3) {
      EXPECT_EQ(entries[i]["status"], 503);
      // The next attempt came no sooner than the receiver asked.
      EXPECT_GE(entries[i + 1]["t"].get<int64_t>() - entries[i]["t"].get<int64_t>(), 950)
          << "attempt " << i + 1;
      continue;
    }
    ASSERT_EQ(entries[i]["status"], 200);
    const json* cpu = find_metric(entries[i]["request"], "system.cpu.time");
    ASSERT_NE(cpu, nullptr);
    received.insert((*cpu)["sum"]["dataPoints"][0]["timeUnixNano"].get<std::string>());
  }
  EXPECT_EQ(received, submitted);
}

TEST_F(OtlpPeer, OutageIsBoundedCountedAndReportedOnceTheReceiverIsBack) {
  const int port = testing::free_loopback_port();  // nobody listens yet
  SenderOptions o;
  o.config.metrics.url = "http://127.0.0.1:" + std::to_string(port) + "/v1/metrics";
  o.config.metrics.timeout = 2000ms;
  o.retry.initial_backoff = 20ms;
  o.retry.max_backoff = 20ms;
  o.retry.max_attempts = 2;
  o.max_queued_batches = 4;
  OtlpSender sender(o);
  OtlpMetricsEncoder enc({Temporality::Cumulative, test_resource()});
  const std::string body =
      enc.encode(sample_snapshot(1'700'000'000'000'000'000)).SerializeAsString();
  for (int i = 0; i < 20; ++i) {
    sender.submit(Signal::Metrics, body);
    EXPECT_LE(sender.stats().queued, 4u);
  }
  ASSERT_TRUE(sender.flush(30s));
  ExportStats st = sender.stats();
  EXPECT_EQ(st.sent, 0u);
  EXPECT_EQ(st.lost(), 20u);
  EXPECT_GE(st.dropped, 15u);  // the queue held at most 4, plus one in flight
  EXPECT_GE(st.retries, 1u);
  EXPECT_NE(sender.last_error().find(std::to_string(port)), std::string::npos)
      << sender.last_error();

  // The receiver comes back: the next export says how much was lost.
  Receiver rx(dir_.path() / "requests.jsonl", {}, port);
  SelfMetrics self;
  model::Snapshot next = sample_snapshot(1'700'000'010'000'000'000);
  self.apply(next, sender.stats());
  sender.submit(Signal::Metrics, enc.encode(next).SerializeAsString());
  ASSERT_TRUE(sender.flush(20s));
  EXPECT_EQ(sender.stats().sent, 1u) << sender.last_error();
  const auto entries = rx.entries();
  ASSERT_EQ(entries.size(), 1u);
  const json* dropped = find_metric(entries[0]["request"], "kpulse.self.export_dropped");
  ASSERT_NE(dropped, nullptr);
  EXPECT_EQ((*dropped)["sum"]["dataPoints"][0]["asDouble"], 20.0);
}

TEST_F(OtlpPeer, FullQueueDropsTheOldestBatches) {
  const int port = testing::free_loopback_port();  // nobody listens yet
  SenderOptions o;
  o.config.metrics.url = "http://127.0.0.1:" + std::to_string(port) + "/v1/metrics";
  o.retry.initial_backoff = 300ms;
  o.retry.max_backoff = 300ms;
  o.retry.max_attempts = 100;
  o.max_queued_batches = 4;
  OtlpSender sender(o);
  OtlpMetricsEncoder enc({Temporality::Cumulative, {}});
  auto time_of = [](int i) { return 1'700'000'000'000'000'000 + i * 1'000'000'000LL; };
  sender.submit(Signal::Metrics, enc.encode(sample_snapshot(time_of(1))).SerializeAsString());
  // Batch 1 is in flight (retrying) before the others arrive.
  for (int i = 0; i < 200 && sender.stats().retries == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(sender.stats().queued, 0u);
  for (int i = 2; i <= 10; ++i)
    sender.submit(Signal::Metrics, enc.encode(sample_snapshot(time_of(i))).SerializeAsString());
  EXPECT_EQ(sender.stats().queued, 4u);
  EXPECT_EQ(sender.stats().dropped, 5u);

  Receiver rx(dir_.path() / "requests.jsonl", {}, port);
  ASSERT_TRUE(sender.flush(30s));
  std::vector<std::string> received;
  for (const auto& e : rx.entries()) {
    const json* cpu = find_metric(e["request"], "system.cpu.time");
    ASSERT_NE(cpu, nullptr);
    received.push_back((*cpu)["sum"]["dataPoints"][0]["timeUnixNano"].get<std::string>());
  }
  std::vector<std::string> expected;
  for (int i : {1, 7, 8, 9, 10}) expected.push_back(std::to_string(time_of(i)));
  EXPECT_EQ(received, expected);
  EXPECT_EQ(sender.stats().sent, 5u);
  EXPECT_EQ(sender.stats().lost(), 5u);
}

TEST_F(OtlpPeer, PartialSuccessIsCountedNotRetried) {
  Receiver rx(dir_.path() / "requests.jsonl", {"--reject", "3"});
  OtlpSender sender(sender_to(rx));
  OtlpMetricsEncoder enc({Temporality::Cumulative, {}});
  sender.submit(Signal::Metrics, enc.encode(sample_snapshot(1)).SerializeAsString());
  ASSERT_TRUE(sender.flush(20s));
  const ExportStats st = sender.stats();
  EXPECT_EQ(st.sent, 1u);
  EXPECT_EQ(st.rejected, 3u);
  EXPECT_EQ(st.retries, 0u);
  EXPECT_EQ(rx.entries().size(), 1u);
  EXPECT_NE(sender.last_error().find("rejected 3 items: test rejects"), std::string::npos)
      << sender.last_error();
}

TEST_F(OtlpPeer, PipelineFeedsBothExportersFromOnePush) {
  Receiver rx(dir_.path() / "requests.jsonl");
  ExportOptions opts;
  opts.prometheus = ListenAddress{"127.0.0.1", 0};
  opts.otlp = sender_to(rx);
  opts.resource = test_resource();
  opts.cardinality.processes = ProcessExport::Top;
  ExportPipeline pipeline(std::move(opts));
  pipeline.push(sample_snapshot(1'700'000'000'000'000'000));
  std::vector<ExportEvent> events{
      {1, EventSeverity::Info, "kpulse.tuning", "raised read-ahead", {}}};
  pipeline.push_events(events);
  ASSERT_TRUE(pipeline.flush(20s));

  httplib::Client cli("127.0.0.1", pipeline.prometheus_port());
  auto res = cli.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_NE(
      res->body.find("kpulse_process_cpu_time_seconds_total{pid=\"4242\",comm=\"postgres\"} 3.5\n"),
      std::string::npos)
      << res->body;
  EXPECT_NE(res->body.find("kpulse_self_export_dropped_total 0\n"), std::string::npos);

  const auto entries = rx.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_NE(find_metric(entries[0]["request"], "kpulse.self.export_dropped"), nullptr);
  EXPECT_EQ(entries[1]["path"], "/v1/logs");
  const std::string summary = pipeline.summary();
  EXPECT_NE(summary.find("sent 2"), std::string::npos) << summary;
  EXPECT_NE(summary.find("1 scrapes"), std::string::npos) << summary;
}

}  // namespace
}  // namespace kpulse::exporters
