#include "exporters/otlp_encoder.h"

#include <gtest/gtest.h>

#include "exporters/histogram_buckets.h"

namespace kpulse::exporters {
namespace {

using model::ComponentKind;
using model::MetricId;
namespace pm = opentelemetry::proto::metrics::v1;

model::Snapshot snapshot_at(int64_t t_ns, double cpu_user) {
  model::Snapshot s;
  s.time_ns = t_ns;
  s.interval_s = 1;
  model::Component cpu{.kind = ComponentKind::Cpu, .id = "cpu3"};
  cpu.set_counter(MetricId::CpuUser, cpu_user, 0.75);
  cpu.set_counter(MetricId::CpuSystem, 2, 0.25);
  model::Component disk{.kind = ComponentKind::Disk, .id = "sda"};
  disk.set_counter(MetricId::DiskReadBytes, 4096, 512);
  disk.set_gauge(MetricId::DiskUtilization, 0.5);
  model::HistogramSample h{MetricId::BlkDeviceLatency, {}, {}};
  h.total.record(100'000);
  h.total.record(3'000'000);
  h.delta.record(3'000'000);
  disk.histograms.push_back(h);
  s.components = {disk, cpu};
  return s;
}

const pm::Metric* find_metric(const otlp_metrics::ExportMetricsServiceRequest& req,
                              std::string_view name) {
  for (const auto& m : req.resource_metrics(0).scope_metrics(0).metrics())
    if (m.name() == name) return &m;
  return nullptr;
}

std::string attr(
    const google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>& kvs,
    std::string_view key) {
  for (const auto& kv : kvs)
    if (kv.key() == key)
      return kv.value().has_int_value() ? std::to_string(kv.value().int_value())
                                        : kv.value().string_value();
  return "<absent>";
}

TEST(OtlpEncoder, ConventionFamiliesBecomeOneMetricWithAttributes) {
  OtlpMetricsEncoder enc({Temporality::Cumulative, {{"service.name", "kpulse"}}});
  const auto req = enc.encode(snapshot_at(10'000'000'000, 1.5));
  ASSERT_EQ(req.resource_metrics_size(), 1);
  EXPECT_EQ(attr(req.resource_metrics(0).resource().attributes(), "service.name"), "kpulse");
  EXPECT_EQ(req.resource_metrics(0).scope_metrics(0).scope().name(), "kpulse");

  const pm::Metric* cpu = find_metric(req, "system.cpu.time");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->unit(), "s");
  ASSERT_TRUE(cpu->has_sum());
  EXPECT_TRUE(cpu->sum().is_monotonic());
  EXPECT_EQ(cpu->sum().aggregation_temporality(), pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
  ASSERT_EQ(cpu->sum().data_points_size(), 2);
  const auto& user = cpu->sum().data_points(0);
  EXPECT_EQ(attr(user.attributes(), "cpu.mode"), "user");
  EXPECT_EQ(attr(user.attributes(), "cpu.logical_number"), "3");
  EXPECT_TRUE(user.attributes(1).value().has_int_value());
  EXPECT_DOUBLE_EQ(user.as_double(), 1.5);
  EXPECT_EQ(user.time_unix_nano(), 10'000'000'000u);
  EXPECT_EQ(user.start_time_unix_nano(), 9'000'000'000u);
  EXPECT_EQ(attr(cpu->sum().data_points(1).attributes(), "cpu.mode"), "system");

  const pm::Metric* io = find_metric(req, "system.disk.io");
  ASSERT_NE(io, nullptr);
  EXPECT_EQ(io->unit(), "By");
  EXPECT_EQ(attr(io->sum().data_points(0).attributes(), "disk.io.direction"), "read");
  EXPECT_EQ(attr(io->sum().data_points(0).attributes(), "system.device"), "sda");

  const pm::Metric* util = find_metric(req, "kpulse.disk.utilization");
  ASSERT_NE(util, nullptr);
  ASSERT_TRUE(util->has_gauge());
  EXPECT_DOUBLE_EQ(util->gauge().data_points(0).as_double(), 0.5);
}

TEST(OtlpEncoder, HistogramsCarryExplicitBoundsInSeconds) {
  OtlpMetricsEncoder enc({Temporality::Cumulative, {}, HistogramForm::Explicit});
  const auto req = enc.encode(snapshot_at(10'000'000'000, 1));
  const pm::Metric* lat = find_metric(req, "kpulse.block.device_latency");
  ASSERT_NE(lat, nullptr);
  ASSERT_TRUE(lat->has_histogram());
  const auto& dp = lat->histogram().data_points(0);
  EXPECT_EQ(dp.count(), 2u);
  EXPECT_DOUBLE_EQ(dp.sum(), 3'100'000e-9);
  ASSERT_EQ(dp.bucket_counts_size(), model::kHistogramSlots);
  ASSERT_EQ(dp.explicit_bounds_size(), model::kHistogramSlots - 1);
  EXPECT_EQ(dp.bucket_counts(model::slot_for_ns(100'000)), 1u);
  EXPECT_EQ(dp.bucket_counts(model::slot_for_ns(3'000'000)), 1u);
  EXPECT_DOUBLE_EQ(dp.explicit_bounds(0), 1e-9);
}

TEST(OtlpEncoder, DeltaTemporalityUsesIntervalDeltas) {
  OtlpMetricsEncoder enc({Temporality::Delta, {}, HistogramForm::Explicit});
  enc.encode(snapshot_at(10'000'000'000, 1));
  const auto req = enc.encode(snapshot_at(11'000'000'000, 1.75));
  const pm::Metric* cpu = find_metric(req, "system.cpu.time");
  EXPECT_EQ(cpu->sum().aggregation_temporality(), pm::AGGREGATION_TEMPORALITY_DELTA);
  EXPECT_DOUBLE_EQ(cpu->sum().data_points(0).as_double(), 0.75);
  EXPECT_EQ(cpu->sum().data_points(0).start_time_unix_nano(), 10'000'000'000u);
  const auto& h = find_metric(req, "kpulse.block.device_latency")->histogram();
  EXPECT_EQ(h.aggregation_temporality(), pm::AGGREGATION_TEMPORALITY_DELTA);
  EXPECT_EQ(h.data_points(0).count(), 1u);
}

TEST(OtlpEncoder, CumulativeStartTimeStaysFixedAcrossSnapshots) {
  OtlpMetricsEncoder enc({Temporality::Cumulative, {}});
  enc.encode(snapshot_at(10'000'000'000, 1));
  const auto req = enc.encode(snapshot_at(12'000'000'000, 3));
  const auto& dp = find_metric(req, "system.cpu.time")->sum().data_points(0);
  EXPECT_EQ(dp.start_time_unix_nano(), 9'000'000'000u);
  EXPECT_DOUBLE_EQ(dp.as_double(), 3);
}

TEST(OtlpEncoder, SerializedRequestParsesBack) {
  OtlpMetricsEncoder enc({Temporality::Cumulative, {}});
  const auto req = enc.encode(snapshot_at(10'000'000'000, 1));
  otlp_metrics::ExportMetricsServiceRequest back;
  ASSERT_TRUE(back.ParseFromString(req.SerializeAsString()));
  EXPECT_EQ(back.SerializeAsString(), req.SerializeAsString());
}

TEST(OtlpEvents, BecomeLogRecords) {
  std::vector<ExportEvent> events{
      {123, EventSeverity::Warn, "kpulse.alert", "disk sda saturated", {{"system.device", "sda"}}}};
  const auto req = encode_events(events, {{"host.name", "h"}});
  const auto& rec = req.resource_logs(0).scope_logs(0).log_records(0);
  EXPECT_EQ(rec.time_unix_nano(), 123u);
  EXPECT_EQ(rec.severity_number(), opentelemetry::proto::logs::v1::SEVERITY_NUMBER_WARN);
  EXPECT_EQ(rec.severity_text(), "WARN");
  EXPECT_EQ(rec.body().string_value(), "disk sda saturated");
  EXPECT_EQ(rec.event_name(), "kpulse.alert");
  EXPECT_EQ(attr(rec.attributes(), "system.device"), "sda");
}

}  // namespace
}  // namespace kpulse::exporters
