#include "cli/engine_options.h"

#include <csignal>
#include <cstdio>
#include <sstream>

#include <fmt/format.h>

#include "cli/conventions.h"
#include "probes/probe_group.h"
#include "probes/libbpf_log.h"

namespace kpulse::cli {
namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}
}  // namespace

engine::CollectorOptions EngineFlags::options() const {
  engine::CollectorOptions o;
  o.interval = std::chrono::milliseconds(static_cast<long>(interval_s * 1000));
  o.enable_bpf = !no_bpf;
  o.max_processes = processes;
  o.max_cgroups = max_cgroups;
  o.max_tracked_processes = max_tracked_processes;
  std::stringstream ss(groups);
  std::string g;
  while (std::getline(ss, g, ','))
    if (!g.empty()) o.probe_groups.push_back(g);
  if (verbose) probes::capture_libbpf_log(true);
  return o;
}

bool group_failed(const probes::GroupStatus& g) {
  return !g.active && g.reason != "disabled by configuration";
}

void warn_failed_groups(const engine::Collector& collector) {
  for (const auto& g : collector.probes().groups)
    if (group_failed(g))
      std::fprintf(stderr, "kpulse: probe group %s inactive: %s\n", g.name.c_str(),
                   g.reason.c_str());
}

CLI::Option* add_groups_option(CLI::App& app, std::string& groups, const std::string& help) {
  std::string names;
  for (const auto& name : probes::registered_group_names()) {
    if (!names.empty()) names += ',';
    names += name;
  }
  names += ",profile";  // the stack sampler: loaded only when named (probe_set.cpp)
  CLI::Validator known(
      [names, fenced = "," + names + ","](std::string& text) -> std::string {
        std::stringstream ss(text);
        std::string g, key;
        while (std::getline(ss, g, ','))
          if (fenced.find(key.assign(",").append(g).append(",")) == std::string::npos)
            return fmt::format("unknown probe group \"{}\" (known: {})", g, names);
        return {};
      },
      "", "probe groups");
  return app.add_option("--groups", groups, help + " (" + names + ")")->check(known);
}

void add_engine_flags(CLI::App& app, const std::shared_ptr<EngineFlags>& flags) {
  duration_option(app, "-i,--interval", flags->interval_s,
                  "Collection interval (500ms, 2s, 5m; a plain number is seconds)")
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  app.add_flag(
      "--no-bpf", flags->no_bpf,
      "Do not load BPF programs: /proc, cgroupfs and PSI data only (no privileges needed)");
  add_groups_option(app, flags->groups,
                    "Probe groups to load, comma-separated (profile, the stack sampler, only "
                    "when named); default sched,block,net,mem");
  app.add_option("--processes", flags->processes,
                 "Most processes listed per snapshot, busiest first")
      ->check(CLI::Range(size_t{0}, size_t{1000000}))  // "-1" wrapped to 2^64-1 unchecked
      ->capture_default_str();
  app.add_option("--max-cgroups", flags->max_cgroups,
                 "Bound of the per-cgroup BPF maps (entries); overflow is counted as map-full")
      ->check(CLI::Range(16u, 1000000u))
      ->capture_default_str();
  app.add_option("--max-tracked-processes", flags->max_tracked_processes,
                 "Bound of the per-process BPF map (entries)")
      ->check(CLI::Range(16u, 4000000u))
      ->capture_default_str();
  app.add_flag("-v,--verbose", flags->verbose, "Print libbpf's debug output to stderr");
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() {
  return g_stop != 0;
}

}  // namespace kpulse::cli
