// Cost of draining one per-CPU hash map per interval (batch lookups, values
// split per CPU), on a real kernel map filled with N entries. Needs CAP_BPF:
// without it each case is skipped with the reason.
#include <benchmark/benchmark.h>
#include <bpf/bpf.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "probes/bpf_totals.h"
#include "probes/map_drain.h"

namespace {

using kpulse::probes::drain_percpu;
using kpulse::probes::possible_cpus;

// A map shaped like kp_sched_cgroups, filled with `n` cgroup ids.
int make_filled_map(int n) {
  int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "kp_bench_drain", sizeof(uint64_t),
                          sizeof(kp_sched_cgroup), static_cast<uint32_t>(n), nullptr);
  if (fd < 0) return fd;
  std::vector<kp_sched_cgroup> values(possible_cpus());
  for (int i = 0; i < n; ++i) {
    uint64_t key = 1000 + i;
    for (auto& v : values) v.runq_latency.count = i;
    if (bpf_map_update_elem(fd, &key, values.data(), BPF_ANY) != 0) {
      close(fd);
      return -1;
    }
  }
  return fd;
}

void BM_DrainSchedCgroups(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  int fd = make_filled_map(n);
  if (fd < 0) {
    state.SkipWithError("cannot create a BPF map (needs root or CAP_BPF)");
    return;
  }
  uint64_t sum = 0;
  for (auto _ : state) {
    int got = drain_percpu<uint64_t, kp_sched_cgroup>(
        fd, [&](const uint64_t&, const std::vector<const kp_sched_cgroup*>& per_cpu) {
          for (const auto* v : per_cpu) sum += v->runq_latency.count;
        });
    if (got != n) {
      state.SkipWithError("drain returned a different entry count");
      break;
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * n);
  close(fd);
}
BENCHMARK(BM_DrainSchedCgroups)->Arg(100)->Arg(1000)->Arg(4096)->Unit(benchmark::kMicrosecond);

}  // namespace
