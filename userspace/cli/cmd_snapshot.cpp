// `kpulse snapshot`: collect for one interval and print every component.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/conventions.h"
#include "cli/engine_options.h"
#include "cli/snapshot_text.h"
#include "model/snapshot_json.h"

namespace kpulse::cli {
namespace {

struct SnapshotFlags {
  bool json = false;
  size_t top = 25;
};

int run_snapshot(const EngineFlags& engine_flags, const SnapshotFlags& flags) {
  install_stop_handlers();
  engine::Collector collector(engine_flags.options());
  warn_failed_groups(collector);
  std::optional<model::Snapshot> next = collector.next(stop_requested);
  if (!next) return 130;  // interrupted: the collector's destructor detaches
  const model::Snapshot& snap = *next;
  if (flags.json) {
    std::printf("%s\n", model::to_json(snap).dump(2).c_str());
  } else {
    TextOptions o;
    o.max_processes = flags.top;
    print_snapshot_text(stdout, snap, o);
  }
  return 0;
}

}  // namespace

void register_snapshot(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand(
      "snapshot", "Collect for one interval and print every component with its metrics");
  auto engine_flags = std::make_shared<EngineFlags>();
  auto flags = std::make_shared<SnapshotFlags>();
  add_engine_flags(*app, engine_flags);
  add_format_option(*app, flags->json,
                    "Print JSON (schema kpulse.snapshot/v2, see docs/snapshot-json.md)");
  app->add_option("--top", flags->top, "Processes shown in the table output")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1000000}));  // "-1" wrapped to 2^64-1 unchecked
  app->footer(
      "Needs root (or CAP_BPF + CAP_PERFMON) unless --no-bpf.\n"
      "Examples:\n  kpulse snapshot\n  kpulse snapshot --interval 5s --json | jq '.components[] | "
      "select(.kind==\"cgroup\")'");
  reg.push_back({app, [engine_flags, flags] { return run_snapshot(*engine_flags, *flags); }});
}

}  // namespace kpulse::cli
