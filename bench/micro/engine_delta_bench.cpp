// Cost of DeltaTracker::apply per interval: N cgroup components, each with
// the kernel-kept counters (PSI, faults) that need a remembered total.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "engine/delta_tracker.h"
#include "model/snapshot.h"

namespace {

using kpulse::engine::DeltaTracker;
using kpulse::model::Component;
using kpulse::model::ComponentKind;
using kpulse::model::MetricId;

std::vector<Component> cgroups(int n, double base) {
  static const MetricId kCounters[] = {
      MetricId::PsiCpuSome, MetricId::PsiCpuFull, MetricId::PsiMemorySome, MetricId::PsiMemoryFull,
      MetricId::PsiIoSome,  MetricId::PsiIoFull,  MetricId::VmMajorFaults, MetricId::MemOomKills};
  std::vector<Component> out(n);
  for (int i = 0; i < n; ++i) {
    out[i].kind = ComponentKind::Cgroup;
    out[i].id = "/bench.slice/cg" + std::to_string(i);
    for (MetricId id : kCounters) out[i].set_counter(id, base + i, 0);
    DeltaTracker::mark_unknown(out[i]);
  }
  return out;
}

void BM_DeltaApply(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  DeltaTracker tracker;
  auto first = cgroups(n, 0);
  tracker.apply(first);  // the baseline
  double base = 1;
  for (auto _ : state) {
    state.PauseTiming();
    auto comps = cgroups(n, base++);
    state.ResumeTiming();
    tracker.apply(comps);
    benchmark::DoNotOptimize(comps.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_DeltaApply)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMicrosecond);

}  // namespace
