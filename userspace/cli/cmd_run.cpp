// `kpulse run`: the daemon. Collects until SIGTERM/SIGINT, feeding every
// enabled sink; SIGHUP reloads the configuration (docs/daemon.md).
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "config/config.h"
#include "daemon/capabilities.h"
#include "daemon/continuous_profiler.h"
#include "daemon/daemon.h"
#include "daemon/log.h"
#include "daemon/run_lock.h"
#include "daemon/service_notify.h"
#include "daemon/signals.h"
#include "daemon/sinks.h"
#include "engine/collector.h"

namespace kpulse::cli {
namespace {

using config::LogLevel;
using daemon::log;

struct RunArgs {
  std::string config_path;
  bool no_bpf = false;
  bool dashboard = false;
};

// An explicit --config must exist; the default path may be absent (defaults).
config::Config load(const std::string& explicit_path) {
  const daemon::UserFileAccess as_user;  // the file is read with the caller's rights
  if (!explicit_path.empty()) return config::load_config(explicit_path);
  if (std::filesystem::exists(config::kDefaultConfigPath))
    return config::load_config(config::kDefaultConfigPath);
  log(LogLevel::Notice, "{} not found: running with defaults", config::kDefaultConfigPath);
  return {};
}

engine::CollectorOptions collector_options(const config::Config& c) {
  engine::CollectorOptions o;
  o.interval = std::chrono::milliseconds(static_cast<long>(c.collection.interval_s * 1000));
  o.enable_bpf = c.collection.bpf;
  o.probe_groups = c.collection.probe_groups;
  o.max_processes = static_cast<size_t>(c.collection.max_processes);
  o.include_idle_processes = c.collection.include_idle_processes;
  return o;
}

// [profile]: attached now, with the start's privileges. A host where it
// cannot run gets a warning; collection goes on without it.
std::unique_ptr<daemon::ContinuousProfiler> start_profiler(const config::Config& cfg) {
  if (!cfg.profile.enabled) return nullptr;
  if (!cfg.record.enabled) {
    log(LogLevel::Warning,
        "probe group profile: not started: it writes into the recording, and "
        "record.enabled = false");
    return nullptr;
  }
  try {
    auto p = std::make_unique<daemon::ContinuousProfiler>(daemon::continuous_profiler_options(cfg));
    log(LogLevel::Info,
        "probe group profile: active ({} at {} Hz); stacks every {} s into {}/stacks",
        p->group().hooks.empty() ? "" : p->group().hooks.front().rung, cfg.profile.frequency_hz,
        cfg.profile.window_s, cfg.recording_dir());
    return p;
  } catch (const std::exception& e) {
    log(LogLevel::Warning, "probe group profile: inactive: {}", e.what());
    return nullptr;
  }
}

int run(const RunArgs& args) {
  daemon::detect_journal();
  daemon::install_daemon_signal_handlers();
  config::Config cfg;
  try {
    cfg = load(args.config_path);
  } catch (const config::ConfigError& e) {
    log(LogLevel::Error, "{}", e.what());
    return 1;
  }
  if (args.no_bpf) cfg.collection.bpf = false;
  if (args.dashboard) cfg.dashboard.enabled = true;
  daemon::set_log_level(cfg.daemon.log_level);
  std::string reload_path =
      args.config_path.empty() ? config::kDefaultConfigPath : args.config_path;

  // One daemon per state directory (and per recording directory, when that
  // lies elsewhere).
  std::vector<std::unique_ptr<daemon::RunLock>> locks;
  try {
    locks.push_back(std::make_unique<daemon::RunLock>(cfg.state.dir));
    const auto rec = std::filesystem::weakly_canonical(cfg.recording_dir());
    const auto state = std::filesystem::weakly_canonical(cfg.state.dir);
    if (cfg.record.enabled && rec.parent_path() != state)
      locks.push_back(std::make_unique<daemon::RunLock>(rec));
  } catch (const std::exception& e) {
    log(LogLevel::Error, "cannot start: {}", e.what());
    return 1;
  }
  for (const auto& lock : locks)
    if (!lock->held())
      log(LogLevel::Warning, "not locked, this user cannot write it: {}", lock->unheld_reason());

  // Loading and attaching needs the full privileges; everything after does not.
  std::unique_ptr<engine::Collector> collector;
  daemon::SinkSet sinks;
  try {
    collector = std::make_unique<engine::Collector>(collector_options(cfg));
    sinks = daemon::make_sinks(cfg);
  } catch (const std::exception& e) {
    log(LogLevel::Error, "cannot start: {}", e.what());
    return 1;
  }
  for (const auto& g : collector->probes().groups)
    log(g.active ? LogLevel::Info : LogLevel::Warning, "probe group {}: {}", g.name,
        g.active ? "active" : "inactive: " + g.reason);
  for (const auto& note : sinks.notes) log(LogLevel::Warning, "{}", note);
  std::unique_ptr<daemon::ContinuousProfiler> profiler = start_profiler(cfg);

  if (cfg.daemon.drop_capabilities) {
    std::string why = daemon::drop_capabilities_except(daemon::needed_capabilities(cfg));
    if (!why.empty()) {
      log(LogLevel::Error, "cannot drop capabilities: {}", why);
      return 1;
    }
  }
  log(LogLevel::Info, "capabilities after start: {}", daemon::describe_capabilities());
  if (profiler) profiler->start();

  daemon::Daemon d(
      cfg, [&collector](const std::function<bool()>& stop) { return collector->next(stop); },
      [reload_path] {
        const daemon::UserFileAccess as_user;
        return config::load_config(reload_path);
      });
  for (auto& sink : sinks.sinks) d.add_sink(std::move(sink));

  log(LogLevel::Info, "collecting every {} s (pid {})", cfg.collection.interval_s, getpid());
  daemon::notify_service("READY=1\nSTATUS=collecting");
  d.run(daemon::stop_signalled, daemon::take_reload_request);
  daemon::notify_service("STOPPING=1");
  profiler.reset();   // writes the open profiling window
  collector.reset();  // detaches the BPF links
  if (d.shutdown_lost_data()) {
    log(LogLevel::Error, "stopped; buffered data was lost at shutdown (see above)");
    return 1;
  }
  log(LogLevel::Info, "stopped");
  return 0;
}

}  // namespace

void register_run(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand(
      "run", "Run as a daemon: collect, record and export until SIGTERM (SIGHUP reloads)");
  auto args = std::make_shared<RunArgs>();
  app->add_option("-c,--config", args->config_path,
                  std::string("Configuration file (default ") + config::kDefaultConfigPath +
                      ", built-in defaults if absent)");
  app->add_flag("--no-bpf", args->no_bpf,
                "Override collection.bpf = false: /proc and cgroupfs only");
  app->add_flag("--dashboard", args->dashboard,
                "Override dashboard.enabled = true: serve the live dashboard on prometheus.listen");
  reg.push_back({app, [args] { return run(*args); }});
}

}  // namespace kpulse::cli
