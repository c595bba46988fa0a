// Cost of one Analyzer::ingest (USE table, a detector update per signal,
// rules, alerts, workload windows) per snapshot, by the number of cgroups.
// The 10-cgroup case is the baseline in the same run.
#include <benchmark/benchmark.h>

#include <string>

#include "analytics/analyzer.h"

namespace {

using kpulse::model::ComponentKind;
using kpulse::model::MetricId;

kpulse::model::Snapshot make(int cgroups, int i) {
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
    g.set_gauge(MetricId::CpuUtilization, 0.01 * ((c + i) % 7));
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

void BM_AnalyzerIngest(benchmark::State& state) {
  const int cgroups = int(state.range(0));
  std::vector<kpulse::model::Snapshot> snaps;
  for (int i = 0; i < 64; ++i) snaps.push_back(make(cgroups, i));
  kpulse::analytics::AnalyzerConfig cfg;
  cfg.knobs = [](const kpulse::analytics::Knob&) { return std::optional<std::string>(); };
  kpulse::analytics::Analyzer analyzer(cfg);
  int64_t i = 0;
  for (auto _ : state) {
    auto snap = snaps[size_t(i % 64)];
    snap.time_ns = (1'700'000'000LL + i) * 1'000'000'000LL;
    ++i;
    benchmark::DoNotOptimize(analyzer.ingest(snap));
  }
  state.counters["cgroups"] = cgroups;
}
BENCHMARK(BM_AnalyzerIngest)->Arg(10)->Arg(500)->Unit(benchmark::kMicrosecond);

}  // namespace
