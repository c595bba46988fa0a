// Cost of the /proc readers that run every interval, each next to a baseline
// of the bare syscalls on the same files (open + read + close, no parsing), so
// the parsing overhead shows as the difference of two medians from one run.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "collect/cgroup_layout.h"
#include "collect/cgroup_resolver.h"
#include "collect/cgroup_stats.h"
#include "collect/host_stats.h"
#include "collect/process_resolver.h"
#include "collect/text_file.h"

namespace {

using namespace kpulse::collect;

std::vector<uint32_t> live_pids(size_t max) {
  std::vector<uint32_t> pids;
  DIR* d = ::opendir("/proc");
  while (dirent* e = d ? ::readdir(d) : nullptr) {
    if (auto p = parse_u64(e->d_name)) pids.push_back(static_cast<uint32_t>(*p));
    if (pids.size() >= max) break;
  }
  if (d) ::closedir(d);
  return pids;
}

void raw_read(const std::string& path) {
  char buf[4096];
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  while (::read(fd, buf, sizeof buf) > 0) {
  }
  ::close(fd);
}

// Baseline: read every /proc/PID/stat without parsing.
void BM_ProcessStat_RawSyscalls(benchmark::State& state) {
  auto pids = live_pids(static_cast<size_t>(state.range(0)));
  for (auto _ : state)
    for (uint32_t pid : pids) raw_read("/proc/" + std::to_string(pid) + "/stat");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pids.size()));
}

// What the engine does per interval: stats + cached identity per PID.
void BM_ProcessStat_ReadProcess(benchmark::State& state) {
  auto pids = live_pids(static_cast<size_t>(state.range(0)));
  ProcessResolver resolver;
  std::string buf;
  for (auto _ : state) {
    for (uint32_t pid : pids) benchmark::DoNotOptimize(read_process(resolver, "/proc", pid, buf));
    resolver.end_interval();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pids.size()));
}

void BM_Host_RawSyscalls(benchmark::State& state) {
  for (auto _ : state)
    for (const char* f :
         {"/proc/stat", "/proc/loadavg", "/proc/uptime", "/proc/meminfo", "/proc/vmstat",
          "/proc/pressure/cpu", "/proc/pressure/memory", "/proc/pressure/io"})
      raw_read(f);
}

void BM_Host_ReadHost(benchmark::State& state) {
  for (auto _ : state) {
    auto host = make_host_component();
    std::vector<kpulse::model::Component> cpus;
    read_host("/proc", host, cpus);
    benchmark::DoNotOptimize(host);
  }
}

void BM_Cgroup_Walk(benchmark::State& state) {
  const auto root = detect_cgroup_layout().walk_root();
  for (auto _ : state) benchmark::DoNotOptimize(list_cgroups(root));
}

void BM_Cgroup_ReadAllStats(benchmark::State& state) {
  auto layout = detect_cgroup_layout();
  auto cgroups = list_cgroups(layout.walk_root());
  CgroupStatsReader reader(layout);
  for (auto _ : state)
    for (const auto& cg : cgroups) {
      auto c = make_cgroup_component(cg.path, cg.id);
      reader.read(cg.path, c);
      benchmark::DoNotOptimize(c);
    }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * cgroups.size()));
}

#define KPULSE_MEDIAN Repetitions(5)->ReportAggregatesOnly(true)->Unit(benchmark::kMicrosecond)
BENCHMARK(BM_ProcessStat_RawSyscalls)->Arg(300)->KPULSE_MEDIAN;
BENCHMARK(BM_ProcessStat_ReadProcess)->Arg(300)->KPULSE_MEDIAN;
BENCHMARK(BM_Host_RawSyscalls)->KPULSE_MEDIAN;
BENCHMARK(BM_Host_ReadHost)->KPULSE_MEDIAN;
BENCHMARK(BM_Cgroup_Walk)->KPULSE_MEDIAN;
BENCHMARK(BM_Cgroup_ReadAllStats)->KPULSE_MEDIAN;

}  // namespace
