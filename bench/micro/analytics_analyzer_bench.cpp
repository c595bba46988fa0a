// Cost of one Analyzer::ingest (USE table, a detector update per signal,
// rules, alerts, workload windows) per snapshot, by the number of cgroups.
// The 10-cgroup case is the baseline in the same run.
#include <benchmark/benchmark.h>

#include <string>

#include "analytics/analyzer.h"
#include "analytics/bottleneck.h"

namespace {

using kpulse::model::ComponentKind;
using kpulse::model::MetricId;

// `cycling`: every cgroup runs 16 s on / 16 s off (phases spread, a little
// noise), a cycle only the classifier's longer history can see: its period
// search with all 99 shuffles runs for every cgroup once per bin, the worst
// case of its cost. `processes`: that many processes, spread over the cgroups
// (names as long as a comm, 64 MiB resident each); `limited`: each cgroup at
// 50% of a memory.max, whose processes the bottleneck detector keeps for the
// size of an OOM kill's victim.
kpulse::model::Snapshot make(int cgroups, int i, bool cycling = false, int processes = 0,
                             bool limited = false) {
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
    if (limited) {
      g.set_gauge(MetricId::CgMemCurrent, 512.0 * (1 << 20));
      g.set_gauge(MetricId::CgMemMax, 1024.0 * (1 << 20));
    }
    s.components.push_back(std::move(g));
  }
  for (int p = 0; p < processes; ++p) {
    kpulse::model::Component c;
    c.kind = ComponentKind::Process;
    c.id = std::to_string(1000 + p);
    c.kernel_id = 1000 + uint64_t(p);
    c.name = "worker-proc-" + std::to_string(p % 100);
    c.parent = "/svc" + std::to_string(p % cgroups);
    c.set_gauge(MetricId::ProcRss, 64.0 * (1 << 20));
    s.components.push_back(std::move(c));
  }
  return s;
}

// Arguments: cgroups; cycling (0/1); the classifier's longer history (0: off);
// processes; their cgroups memory-limited (0/1).
void BM_AnalyzerIngest(benchmark::State& state) {
  const int cgroups = int(state.range(0));
  const bool cycling = state.range(1) != 0;
  std::vector<kpulse::model::Snapshot> snaps;
  for (int i = 0; i < 64; ++i)
    snaps.push_back(make(cgroups, i, cycling, int(state.range(3)), state.range(4) != 0));
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
    ->ArgNames({"cgroups", "cycling", "long", "procs", "limited"})
    ->Args({10, 0, 1, 0, 0})
    ->Args({500, 0, 1, 0, 0})
    ->Args({500, 1, 0, 0, 0})
    ->Args({500, 1, 1, 0, 0})
    ->Args({10, 0, 1, 500, 0})
    ->Args({10, 0, 1, 500, 1})
    ->Args({50, 0, 1, 500, 0})
    ->Unit(benchmark::kMicrosecond);

// The bottleneck detector alone (USE table, detectors, rules, and what it
// keeps of the processes for an OOM kill's victim), by processes and whether
// their cgroups have a memory limit. Arguments: processes; limited (0/1).
void BM_BottleneckUpdate(benchmark::State& state) {
  std::vector<kpulse::model::Snapshot> snaps;
  for (int i = 0; i < 64; ++i)
    snaps.push_back(make(10, i, false, int(state.range(0)), state.range(1) != 0));
  kpulse::analytics::BottleneckDetector detector;
  int64_t i = 0;
  for (; i < 64; ++i) detector.update(snaps[size_t(i % 64)]);
  for (auto _ : state) {
    auto& snap = snaps[size_t(i % 64)];
    snap.time_ns = (1'700'000'000LL + i) * 1'000'000'000LL;
    ++i;
    benchmark::DoNotOptimize(detector.update(snap));
  }
}
BENCHMARK(BM_BottleneckUpdate)
    ->ArgNames({"procs", "limited"})
    ->Args({0, 0})
    ->Args({500, 0})
    ->Args({500, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
