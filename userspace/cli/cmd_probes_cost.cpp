// `kpulse probes --cost [SECONDS]`.
//
// Statistics are enabled with BPF_ENABLE_STATS rather than by writing the
// kernel.bpf_stats_enabled sysctl: the kernel keeps them on only while the
// returned descriptor is open, so they go off when kpulse exits however it
// exits (SIGINT, SIGKILL, a crash). They cost every BPF program on the host
// about 20 ns per run, so they must never be left on.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <nlohmann/json.hpp>

#include "cli/engine_options.h"
#include "cli/probes_cost.h"

namespace kpulse::cli {
namespace {

struct ProgramRun {
  int fd = -1;
  std::string name;  // kernel-side name (first 15 characters)
  uint64_t run_ns = 0;
  uint64_t run_cnt = 0;
};

// This process's BPF program descriptors, found through /proc/self/fdinfo:
// exactly the programs the collector loaded, not those of other tools.
std::vector<ProgramRun> own_programs() {
  std::vector<ProgramRun> out;
  DIR* dir = opendir("/proc/self/fdinfo");
  if (!dir) return out;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(std::string("/proc/self/fdinfo/") + e->d_name);
    std::string line;
    bool is_prog = false;
    while (std::getline(in, line))
      if (line.rfind("prog_id:", 0) == 0) is_prog = true;
    if (!is_prog) continue;
    ProgramRun p;
    p.fd = std::atoi(e->d_name);
    out.push_back(p);
  }
  closedir(dir);
  return out;
}

// The program's full name from its BTF (the kernel's `name` is cut at 15
// characters, which makes kp_sched_wakeup and kp_sched_wakeup_new collide).
std::string full_name(int fd, const bpf_prog_info& brief) {
  if (!brief.btf_id || !brief.nr_func_info) return brief.name;
  bpf_func_info func{};
  bpf_prog_info info{};
  info.nr_func_info = 1;
  info.func_info_rec_size = sizeof(func);
  info.func_info = reinterpret_cast<uintptr_t>(&func);
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return brief.name;
  btf* b = btf__load_from_kernel_by_id(brief.btf_id);
  if (!b) return brief.name;
  std::string name = brief.name;
  if (const btf_type* t = btf__type_by_id(b, func.type_id))
    if (const char* n = btf__name_by_offset(b, t->name_off)) name = n;
  btf__free(b);
  return name;
}

bool read_stats(ProgramRun& p) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(p.fd, &info, &len) != 0) return false;
  if (p.name.empty()) p.name = full_name(p.fd, info);
  p.run_ns = info.run_time_ns;
  p.run_cnt = info.run_cnt;
  return true;
}

// The hook a program is attached to, from the collector's report; null for
// programs loaded only to probe the kernel or as an unused fallback rung.
const engine::HookStatus* hook_of(const engine::ProbeReport& r, const std::string& name,
                                  std::string* group) {
  for (const auto& g : r.groups)
    for (const auto& h : g.hooks)
      if (h.attached && h.program == name) {
        *group = g.name;
        return &h;
      }
  return nullptr;
}

}  // namespace

int run_probes_cost(const engine::Collector& collector, double seconds, bool json) {
  auto programs = own_programs();
  if (programs.empty()) {
    std::fprintf(stderr, "kpulse: no BPF program is loaded, nothing to measure\n");
    return 3;
  }
  install_stop_handlers();
  int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (stats_fd < 0) {
    std::fprintf(stderr, "kpulse: cannot enable BPF run-time statistics: %s\n",
                 std::strerror(-stats_fd));
    return 1;
  }
  for (auto& p : programs) read_stats(p);  // names once, outside the window
  std::vector<ProgramRun> before = programs;
  for (auto& p : before) read_stats(p);
  const auto t0 = std::chrono::steady_clock::now();
  const auto until = t0 + std::chrono::duration<double>(seconds);
  if (!json) std::fprintf(stderr, "kpulse: measuring for %.0f s (Ctrl-C ends early)\n", seconds);
  while (!stop_requested() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::vector<ProgramRun> after = programs;
  for (auto& p : after) read_stats(p);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  close(stats_fd);  // statistics off again (unless someone else holds them on)

  struct Row {
    std::string group, hook, program;
    uint64_t events = 0, ns = 0;
  };
  std::vector<Row> rows;
  for (size_t i = 0; i < after.size(); ++i) {
    std::string group;
    const engine::HookStatus* h = hook_of(collector.probes(), after[i].name, &group);
    if (!h) continue;  // loaded as a fallback rung, never attached
    rows.push_back({group, h->hook, h->program, after[i].run_cnt - before[i].run_cnt,
                    after[i].run_ns - before[i].run_ns});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.ns > b.ns; });
  uint64_t total_ns = 0;
  for (const auto& r : rows) total_ns += r.ns;

  if (json) {
    nlohmann::json j = {{"seconds", elapsed},
                        {"cpu_fraction", total_ns / 1e9 / elapsed},
                        {"programs", nlohmann::json::array()}};
    for (const auto& r : rows)
      j["programs"].push_back({{"group", r.group},
                               {"hook", r.hook},
                               {"program", r.program},
                               {"events", r.events},
                               {"events_per_s", r.events / elapsed},
                               {"ns_per_event", r.events ? double(r.ns) / r.events : 0.0}});
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("BPF cost over %.1f s (kernel run-time statistics)\n\n", elapsed);
  std::printf("  %-6s %-28s %-26s %12s %10s %9s\n", "group", "hook", "program", "events",
              "events/s", "ns/event");
  for (const auto& r : rows) {
    if (r.events)
      std::printf("  %-6s %-28s %-26s %12llu %10.0f %9.0f\n", r.group.c_str(), r.hook.c_str(),
                  r.program.c_str(), static_cast<unsigned long long>(r.events), r.events / elapsed,
                  double(r.ns) / r.events);
    else
      std::printf("  %-6s %-28s %-26s %12s %10s %9s\n", r.group.c_str(), r.hook.c_str(),
                  r.program.c_str(), "0", "0", "-");
  }
  std::printf(
      "\n  total: %.3f%% of one CPU in kpulse's BPF programs (statistics add ~20 ns/event)\n",
      100.0 * total_ns / 1e9 / elapsed);
  return 0;
}

}  // namespace kpulse::cli
