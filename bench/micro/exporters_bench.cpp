// Encoding cost of the exporters for a snapshot of 1,000 components, each
// carrying every catalog metric its kind has (histograms filled).
//
// Baseline in the same run: copying the snapshot, which an encode-on-scrape
// Prometheus server would have to do every interval instead of encoding once.
#include <benchmark/benchmark.h>

#include "exporters/gzip.h"
#include "exporters/otlp_encoder.h"
#include "exporters/prometheus_text.h"

namespace {

using namespace kpulse;
using model::ComponentKind;

model::Component make_component(ComponentKind kind, std::string id, uint64_t seed) {
  model::Component c{.kind = kind, .id = std::move(id), .name = "comp" + std::to_string(seed)};
  for (const auto& m : model::all_metrics()) {
    if (!(m.scopes & model::scope_bit(kind))) continue;
    const double v = double(seed * 37 + static_cast<uint64_t>(m.id));
    switch (m.type) {
      case model::MetricType::Counter:
        c.set_counter(m.id, v * 10, v);
        break;
      case model::MetricType::Gauge:
        c.set_gauge(m.id, v);
        break;
      case model::MetricType::Histogram: {
        model::HistogramSample h{m.id, {}, {}};
        for (uint64_t i = 1; i < 200; ++i) h.total.record(i * 997 * (seed % 13 + 1));
        h.delta = h.total;
        c.histograms.push_back(h);
        break;
      }
    }
  }
  return c;
}

// 1 host, 1 agent, 8 CPUs, 16 disks, 24 interfaces, 300 cgroups, 650 processes.
model::Snapshot snapshot_of_1000() {
  model::Snapshot s;
  s.time_ns = 1'700'000'000'000'000'000;
  s.interval_s = 1;
  uint64_t seed = 0;
  s.components.push_back(make_component(ComponentKind::Host, "host", ++seed));
  s.components.push_back(make_component(ComponentKind::Agent, "kpulse", ++seed));
  for (int i = 0; i < 8; ++i)
    s.components.push_back(make_component(ComponentKind::Cpu, "cpu" + std::to_string(i), ++seed));
  for (int i = 0; i < 16; ++i)
    s.components.push_back(
        make_component(ComponentKind::Disk, "nvme" + std::to_string(i) + "n1", ++seed));
  for (int i = 0; i < 24; ++i)
    s.components.push_back(
        make_component(ComponentKind::Interface, "veth" + std::to_string(i), ++seed));
  for (int i = 0; i < 300; ++i)
    s.components.push_back(make_component(
        ComponentKind::Cgroup, "/system.slice/service-" + std::to_string(i) + ".service", ++seed));
  for (int i = 0; i < 650; ++i)
    s.components.push_back(
        make_component(ComponentKind::Process, std::to_string(1000 + i), ++seed));
  return s;
}

const model::Snapshot& snapshot() {
  static const model::Snapshot s = snapshot_of_1000();
  return s;
}

void BM_SnapshotCopy(benchmark::State& state) {
  for (auto _ : state) {
    model::Snapshot copy = snapshot();
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_SnapshotCopy)->Unit(benchmark::kMillisecond);

void BM_PrometheusText(benchmark::State& state) {
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = exporters::prometheus_text(snapshot());
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = double(bytes);
}
BENCHMARK(BM_PrometheusText)->Unit(benchmark::kMillisecond);

void BM_OtlpEncodeMessage(benchmark::State& state) {
  exporters::OtlpMetricsEncoder enc(
      {exporters::Temporality::Cumulative, {{"service.name", "kpulse"}}});
  for (auto _ : state) {
    auto req = enc.encode(snapshot());
    benchmark::DoNotOptimize(req);
  }
}
BENCHMARK(BM_OtlpEncodeMessage)->Unit(benchmark::kMillisecond);

void BM_OtlpEncodeSerialized(benchmark::State& state) {
  exporters::OtlpMetricsEncoder enc(
      {exporters::Temporality::Cumulative, {{"service.name", "kpulse"}}});
  size_t bytes = 0;
  for (auto _ : state) {
    std::string body = enc.encode(snapshot()).SerializeAsString();
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.counters["bytes"] = double(bytes);
}
BENCHMARK(BM_OtlpEncodeSerialized)->Unit(benchmark::kMillisecond);

// Runs on the sender thread, not the collector's, but it is CPU kpulse spends.
void BM_OtlpGzip(benchmark::State& state) {
  exporters::OtlpMetricsEncoder enc(
      {exporters::Temporality::Cumulative, {{"service.name", "kpulse"}}});
  const std::string body = enc.encode(snapshot()).SerializeAsString();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string z = exporters::gzip_compress(body);
    bytes = z.size();
    benchmark::DoNotOptimize(z);
  }
  state.counters["bytes"] = double(bytes);
}
BENCHMARK(BM_OtlpGzip)->Unit(benchmark::kMillisecond);

}  // namespace
