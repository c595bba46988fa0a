// Cost of the snapshot-building helpers the engine runs per interval for each
// cgroup: the per-interval delta of the BPF totals and its conversion into
// model samples and histograms, then the derived gauges over all components.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "engine/cgroup_activity.h"
#include "engine/derived_metrics.h"
#include "model/snapshot.h"
#include "probes/bpf_totals.h"
#include "probes/probe_group.h"

namespace {

using kpulse::model::Component;
using kpulse::model::ComponentKind;
using kpulse::probes::CgroupTotals;

CgroupTotals totals(int seed) {
  CgroupTotals t;
  t.has_sched = t.has_block = t.has_net = t.has_mem = true;
  t.sched.runq_latency.sum_ns = 1000000ull * seed;
  for (int s = 0; s < KP_HIST_SLOTS; s += 3) t.sched.runq_latency.slots[s] = seed + s;
  t.sched.runq_latency.count = 12ull * seed;
  t.block.read_ops = seed;
  t.block.device_latency.slots[12] = seed;
  t.net.tx_bytes = 1500ull * seed;
  return t;
}

void BM_CgroupSamples(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::vector<CgroupTotals> before, now;
  for (int i = 0; i < n; ++i) {
    before.push_back(totals(i));
    now.push_back(totals(i + 7));
  }
  const auto groups = kpulse::probes::registered_groups();
  for (auto _ : state) {
    std::vector<Component> comps(n);
    for (int i = 0; i < n; ++i) {
      comps[i].kind = ComponentKind::Cgroup;
      CgroupTotals delta = kpulse::engine::subtract(now[i], before[i]);
      for (const auto& g : groups) g->add_cgroup_samples(comps[i], now[i], delta);
    }
    kpulse::engine::derive_metrics(comps, 1.0);
    benchmark::DoNotOptimize(comps.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_CgroupSamples)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
