// `kpulse probes`: which probe groups loaded, through which hooks and rungs,
// what the kernel offers, and why a group is inactive.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/conventions.h"
#include "cli/engine_options.h"
#include "cli/probes_cost.h"
#include "engine/collector.h"

namespace kpulse::cli {
namespace {

struct ProbesFlags {
  bool json = false;
  double cost_s = 0;  // > 0: measure per-event cost for this long
};

nlohmann::json report_json(const engine::ProbeReport& r) {
  nlohmann::json j;
  for (const auto& [k, v] : r.features) j["features"][k] = v;
  j["groups"] = nlohmann::json::array();
  for (const auto& g : r.groups) {
    nlohmann::json jg = {
        {"name", g.name}, {"active", g.active}, {"reason", g.reason}, {"reads", g.reads}};
    jg["hooks"] = nlohmann::json::array();
    for (const auto& h : g.hooks)
      jg["hooks"].push_back({{"hook", h.hook},
                             {"program", h.program},
                             {"rung", h.rung},
                             {"attached", h.attached},
                             {"error", h.error}});
    j["groups"].push_back(std::move(jg));
  }
  return j;
}

void print_report(const engine::ProbeReport& r) {
  std::printf("Kernel features\n");
  for (const auto& [k, v] : r.features) std::printf("  %-18s %s\n", k.c_str(), v.c_str());
  for (const auto& g : r.groups) {
    std::printf("\nGroup %-6s %s%s%s\n", g.name.c_str(), g.active ? "active" : "INACTIVE",
                g.reason.empty() ? "" : ": ", g.reason.c_str());
    for (const auto& h : g.hooks) {
      std::printf("  %-22s %-10s %-28s %s\n", h.hook.c_str(), h.attached ? h.rung.c_str() : "-",
                  h.program.c_str(), h.attached ? "attached" : "not attached");
      if (!h.error.empty()) std::printf("  %-22s   (%s)\n", "", h.error.c_str());
    }
    for (const auto& r : g.reads) std::printf("  reads: %s\n", r.c_str());
  }
}

int run_probes(const EngineFlags& engine_flags, const ProbesFlags& flags) {
  engine::CollectorOptions o = engine_flags.options();
  o.interval = std::chrono::milliseconds(100);
  engine::Collector collector(o);
  if (flags.cost_s > 0) return run_probes_cost(collector, flags.cost_s, flags.json);
  auto usage = collector.map_usage();
  if (flags.json) {
    nlohmann::json j = report_json(collector.probes());
    for (const auto& u : usage)
      j["maps"].push_back({{"group", u.group},
                           {"map", u.map},
                           {"entries", u.entries},
                           {"max_entries", u.max_entries}});
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    print_report(collector.probes());
    std::printf("\nMaps (entries / bound)\n");
    for (const auto& u : usage)
      std::printf("  %-6s %-20s %7u / %u\n", u.group.c_str(), u.map.c_str(), u.entries,
                  u.max_entries);
  }
  for (const auto& g : collector.probes().groups)
    if (group_failed(g) && !engine_flags.no_bpf) return 3;
  return 0;
}

}  // namespace

void register_probes(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand(
      "probes", "Load the probes and list each group's hooks, the rung used, and kernel features");
  auto engine_flags = std::make_shared<EngineFlags>();
  auto flags = std::make_shared<ProbesFlags>();
  add_groups_option(*app, engine_flags->groups, "Probe groups to try (default all)");
  app->add_flag("-v,--verbose", engine_flags->verbose, "Print libbpf's debug output to stderr");
  add_format_option(*app, flags->json, "Print JSON");
  app->add_option("--cost", flags->cost_s,
                  "Measure ns/event and events/s of each program for DURATION (default 10s) "
                  "with BPF run-time statistics switched on meanwhile")
      ->expected(0, 1)
      ->default_str("10")
      ->type_name(kDurationType)
      ->option_text("[DURATION]");
  app->footer("Exit status 3 when a requested group could not be activated.");
  reg.push_back({app, [engine_flags, flags] { return run_probes(*engine_flags, *flags); }});
}

}  // namespace kpulse::cli
