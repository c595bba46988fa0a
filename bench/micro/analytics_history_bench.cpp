// History ingest throughput (target: >= 5 M points/s on one core). The
// baseline in the same run is appending to a plain pre-sized array, the
// floor any ring-buffer store pays.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "analytics/history.h"

namespace {

using kpulse::analytics::History;
using kpulse::analytics::SeriesRing;

void BM_BaselineArrayStore(benchmark::State& state) {
  std::vector<float> a(1 << 16);
  size_t i = 0;
  double v = 0;
  for (auto _ : state) {
    a[i++ & 0xffff] = static_cast<float>(v);
    v += 0.5;
    benchmark::DoNotOptimize(a.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineArrayStore);

// One series, a sample per second (every append opens a new 1 s bucket).
void BM_HistoryAppendOneSeries(benchmark::State& state) {
  const auto tiers = kpulse::analytics::default_history_tiers();
  SeriesRing r(tiers);
  int64_t t = 1'700'000'000;
  double v = 0;
  for (auto _ : state) {
    r.append(t++, v);
    v += 0.5;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistoryAppendOneSeries);

// Many series round-robin, time advancing once per round: the collector's
// pattern, with the cache misses of touching thousands of rings.
void BM_HistoryAppendManySeries(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  History h(kpulse::analytics::default_history_tiers(), series);
  std::vector<History::SeriesId> ids;
  for (int i = 0; i < series; ++i) ids.push_back(h.series("cgroup:/s" + std::to_string(i), "m"));
  int64_t t = 1'700'000'000;
  int i = 0;
  for (auto _ : state) {
    h.append(ids[i], t, i * 0.25);
    if (++i == series) {
      i = 0;
      ++t;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistoryAppendManySeries)->Arg(100)->Arg(1000);

// Whole snapshots: 100 components x 12 samples (counters and gauges).
void BM_HistoryIngestSnapshot(benchmark::State& state) {
  using kpulse::model::MetricId;
  kpulse::model::Snapshot s;
  s.interval_s = 1.0;
  s.time_ns = 1'700'000'000LL * 1'000'000'000LL;
  const MetricId counters[] = {MetricId::CpuUser,    MetricId::CpuNice,   MetricId::CpuSystem,
                               MetricId::CpuIdle,    MetricId::CpuIowait, MetricId::CpuIrq,
                               MetricId::CpuSoftirq, MetricId::CpuSteal};
  const MetricId gauges[] = {MetricId::CpuUtilization, MetricId::HostLoad1, MetricId::HostLoad5,
                             MetricId::HostLoad15};
  for (int c = 0; c < 100; ++c) {
    kpulse::model::Component comp;
    comp.kind = kpulse::model::ComponentKind::Cgroup;
    comp.id = "/system.slice/unit" + std::to_string(c) + ".service";
    for (auto id : counters) comp.set_counter(id, 100.0 * c, 1.0 + c);
    for (auto id : gauges) comp.set_gauge(id, 0.5 * c);
    s.components.push_back(comp);
  }
  History h(kpulse::analytics::default_history_tiers(), 2000);
  int64_t samples = 0;
  for (auto _ : state) {
    h.ingest(s);
    s.time_ns += 1'000'000'000;
    samples += 100 * 12;
  }
  state.SetItemsProcessed(samples);
}
BENCHMARK(BM_HistoryIngestSnapshot);

}  // namespace

namespace {

// Range reads from a full series: the last hour from the 1 s tier (3,600
// points) and the last 7 days from the 1 min tier (10,080 points).
void BM_HistoryRangeRead(benchmark::State& state) {
  const auto tiers = kpulse::analytics::default_history_tiers();
  SeriesRing r(tiers);
  const int64_t start = 1'700'000'000, end = start + 9 * 86400;
  for (int64_t t = start; t < end; ++t) r.append(t, double(t % 977));
  const int64_t span = state.range(0);
  int64_t points = 0;
  for (auto _ : state) {
    auto pts = r.range(end - span, end);
    points += static_cast<int64_t>(pts.size());
    benchmark::DoNotOptimize(pts.data());
  }
  state.SetItemsProcessed(points);
}
BENCHMARK(BM_HistoryRangeRead)->Arg(3600)->Arg(7 * 86400);

}  // namespace
