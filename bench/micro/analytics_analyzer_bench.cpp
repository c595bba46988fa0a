// Cost of one Analyzer::ingest (USE table, a detector update per signal,
// rules, alerts, workload windows) per snapshot, by the number of cgroups.
// The 10-cgroup case is the baseline in the same run.
#include <benchmark/benchmark.h>

#include <string>

#include "analytics/analyzer.h"

namespace {

using kpulse::model::ComponentKind;
using kpulse::model::MetricId;

// `cycling`: every cgroup runs 16 s on / 16 s off (phases spread, a little
// noise), a cycle only the classifier's longer history can see: its period
// search with all 99 shuffles runs for every cgroup once per bin, the worst
// case of its cost.
kpulse::model::Snapshot make(int cgroups, int i, bool cycling = false) {
  kpulse::model::Snapshot s;
  s.seq = uint64_t(i);
  s.time_ns = (1'700'000'000LL + i) * 1'000'000'000LL;
  s.interval_s = 1;
  kpulse::model::Component host;
  host.kind = ComponentKind::Host;
  host.id = "host";
  host.set_gauge(MetricId::CpuUtilization, 0.4);
  host.set_counter(MetricId::PsiCpuSome, 0, 0.05);
  host.set_counter(MetricId::TcpRetransmits, 0, i % 3);
  s.components.push_back(host);
  for (int c = 0; c < cgroups; ++c) {
    kpulse::model::Component g;
    g.kind = ComponentKind::Cgroup;
    g.id = "/svc" + std::to_string(c);
    g.parent = "/";
    g.set_gauge(MetricId::CpuUtilization,
                cycling ? ((i + c) % 32 < 16 ? 0.5 : 0.01) + 0.02 * ((c * 7 + i * 13) % 5)
                        : 0.01 * ((c + i) % 7));
    g.set_counter(MetricId::PsiCpuSome, 0, 0.001 * ((c * i) % 5));
    g.set_counter(MetricId::PsiMemorySome, 0, 0);
    g.set_counter(MetricId::PsiIoSome, 0, 0.002);
    g.set_counter(MetricId::TcpRetransmits, 0, 0);
    kpulse::model::HistogramSample h;
    h.id = MetricId::SchedRunqLatency;
    for (int k = 0; k < 20; ++k) h.delta.record(uint64_t(20000 + 1000 * ((c + k + i) % 9)));
    g.histograms.push_back(h);
    s.components.push_back(std::move(g));
  }
  return s;
}

// Arguments: cgroups; cycling (0/1); the classifier's longer history (0: off).
void BM_AnalyzerIngest(benchmark::State& state) {
  const int cgroups = int(state.range(0));
  const bool cycling = state.range(1) != 0;
  std::vector<kpulse::model::Snapshot> snaps;
  for (int i = 0; i < 64; ++i) snaps.push_back(make(cgroups, i, cycling));
  kpulse::analytics::AnalyzerConfig cfg;
  cfg.knobs = [](const kpulse::analytics::Knob&) { return std::optional<std::string>(); };
  if (state.range(2) == 0) cfg.workload.long_bins = 0;
  kpulse::analytics::Analyzer analyzer(cfg);
  int64_t i = 0;
  // The longer history fills first (5 minutes at 1 s): the steady state.
  for (; i < 320; ++i) {
    auto snap = snaps[size_t(i % 64)];
    snap.time_ns = (1'700'000'000LL + i) * 1'000'000'000LL;
    analyzer.ingest(snap);
  }
  for (auto _ : state) {
    auto snap = snaps[size_t(i % 64)];
    snap.time_ns = (1'700'000'000LL + i) * 1'000'000'000LL;
    ++i;
    benchmark::DoNotOptimize(analyzer.ingest(snap));
  }
  state.counters["cgroups"] = cgroups;
}
BENCHMARK(BM_AnalyzerIngest)
    ->ArgNames({"cgroups", "cycling", "long"})
    ->Args({10, 0, 1})
    ->Args({500, 0, 1})
    ->Args({500, 1, 0})
    ->Args({500, 1, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
