// `kpulse tune`: the auto-tuner. Without flags it prints the plan and writes
// nothing; --apply runs the closed loop; --rollback, --undo and --status work
// from the journal in the state directory.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/conventions.h"
#include "cli/engine_options.h"
#include "config/config.h"
#include "daemon/capabilities.h"
#include "engine/collector.h"
#include "tune/controller.h"
#include "tune/journal.h"
#include "tune/planner.h"
#include "tune/predictive.h"
#include "tune/restore.h"
#include "tune/state_lock.h"
#include "tune/tuners.h"

namespace kpulse::cli {
namespace {

struct TuneFlags {
  bool apply = false, rollback = false, status = false, json = false;
  std::string undo;
  std::string state_dir = "/var/lib/kpulse";
  std::string on_exit = "keep";
  int window = 5;
  int eval_window = 0;  // 0: same as window
  int samples = 3;
  double duration_s = 0;
  bool allow_host_wide = false;
  double cpu_quota_max = 0, memory_high_max = 0, read_ahead_max = 4096;
  double step = 0.5;
  double cooldown_s = 120, rate_limit_s = 10;
  std::string tuners;  // comma list; empty = all
  std::string scope;
  double min_idle_cpus = 0.25;
  std::string predictive;   // cgroup scope for predictive CPU and memory scaling
  std::string config_path;  // for [tuning] writeback; default file if present
  bool writeback = false;   // from the configuration
};

// The host-wide writeback tuner needs tuning.writeback = true in the config:
// an explicit --config must exist, the default file may be absent.
void read_config(TuneFlags& f) {
  std::string path = f.config_path;
  if (path.empty() && std::filesystem::exists(config::kDefaultConfigPath))
    path = config::kDefaultConfigPath;
  if (path.empty()) return;
  const daemon::UserFileAccess as_user;
  f.writeback = config::load_config(path).tuning.writeback;
}

void log_line(const std::string& s) {
  std::time_t t = std::time(nullptr);
  char ts[32];
  std::strftime(ts, sizeof ts, "%H:%M:%S", std::gmtime(&t));
  std::printf("%s %s\n", ts, s.c_str());
  std::fflush(stdout);
}

std::vector<std::unique_ptr<tune::Tuner>> pick_tuners(const std::string& list) {
  auto all = tune::default_tuners();
  if (list.empty()) return all;
  std::vector<std::unique_ptr<tune::Tuner>> out;
  if (list == "none") return out;  // e.g. predictive scaling alone
  std::istringstream in(list);
  for (std::string name; std::getline(in, name, ',');) {
    bool found = false;
    for (auto& t : all)
      if (t && t->name() == name) {
        out.push_back(std::move(t));
        found = true;
      }
    if (!found) throw std::runtime_error("unknown tuner \"" + name + "\"");
  }
  return out;
}

tune::TunerOptions tuner_options(const TuneFlags& f) {
  tune::TunerOptions o;
  o.step_fraction = f.step;
  o.cpu_quota_max_cpus = f.cpu_quota_max;
  o.memory_high_max = f.memory_high_max;
  o.read_ahead_max_kb = f.read_ahead_max;
  o.scope = f.scope;
  o.min_idle_cpus = f.min_idle_cpus;
  o.writeback = f.writeback;
  o.host_wide = f.allow_host_wide;
  return o;
}

int run_status(const TuneFlags& f) {
  const daemon::UserFileAccess as_user;  // --state-dir is the user's
  // Looking must not create anything: no state directory means no changes.
  if (!std::filesystem::exists(f.state_dir)) {
    if (f.json)
      std::printf("[]\n");
    else
      std::printf("no kpulse changes in force (no state directory %s)\n", f.state_dir.c_str());
    return 0;
  }
  tune::Journal j(f.state_dir);
  std::vector<std::string> warnings;
  auto changes = j.load(&warnings);
  for (auto& w : warnings) std::fprintf(stderr, "kpulse: warning: %s\n", w.c_str());
  if (f.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : changes) {
      if (!c.in_force()) continue;
      out.push_back({{"id", c.id},
                     {"state", std::string(tune::to_string(c.state))},
                     {"knob", c.knob.id()},
                     {"key", c.knob.key()},
                     {"target", c.knob.target},
                     {"netns", c.netns_name},
                     {"original", c.original},
                     {"value", c.written},
                     {"scenario", c.scenario},
                     {"why", c.why},
                     {"undo", c.undo_command(f.state_dir)}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  int n = 0;
  for (const auto& c : changes) {
    if (!c.in_force()) continue;
    ++n;
    std::printf("%s  %-8s %s%s\n    %s -> %s  (%s)\n    undo: %s\n", c.id.c_str(),
                std::string(tune::to_string(c.state)).c_str(), c.knob.key().c_str(),
                c.netns_name.empty() ? "" : (" [netns " + c.netns_name + "]").c_str(),
                c.original.c_str(), c.written.c_str(), c.scenario.c_str(),
                c.undo_command(f.state_dir).c_str());
  }
  if (n == 0) std::printf("no kpulse changes in force (journal %s)\n", j.path().c_str());
  return 0;
}

void print_plan(const std::vector<tune::Proposal>& plan) {
  if (plan.empty()) {
    std::printf("No recommendation: nothing kpulse tunes looks misconfigured right now.\n");
    return;
  }
  int i = 0;
  for (const auto& p : plan) {
    std::printf(
        "%d. scenario: %s%s\n   diagnosis: %s\n   evidence: %s\n   knob: %s%s\n"
        "   change: %s -> %s\n   expected: %s\n   judged by: %s\n",
        ++i, p.scenario.c_str(), p.advice_only ? " (advice only: not applied)" : "",
        p.diagnosis.empty() ? p.scenario.c_str() : p.diagnosis.c_str(), p.evidence.c_str(),
        p.knob.key().c_str(), p.netns_name.empty() ? "" : (" [netns " + p.netns_name + "]").c_str(),
        p.current_raw.c_str(), p.proposed_raw.c_str(), p.expected_gain.c_str(),
        p.objective.name.c_str());
    if (!p.note.empty()) std::printf("   note: %s\n", p.note.c_str());
  }
  std::printf("\nDry run: nothing was changed. Run with --apply to let kpulse experiment.\n");
}

int run_plan(const EngineFlags& ef, const TuneFlags& f) {
  engine::Collector collector(ef.options());
  const int samples = std::max(2, f.samples);
  // Every snapshot of the run stays in view (the window is the run).
  tune::Planner planner(pick_tuners(f.tuners), tuner_options(f), static_cast<size_t>(samples));
  for (int i = 0; i < samples; ++i) {
    auto s = collector.next(stop_requested);
    if (!s) return 130;
    (void)planner.step(std::move(*s));
  }
  print_plan(planner.plan());
  return 0;
}

int run_apply(const EngineFlags& ef, const TuneFlags& f) {
  if (f.on_exit != "keep" && f.on_exit != "rollback")
    throw std::runtime_error("--on-exit must be keep or rollback, not \"" + f.on_exit + "\"");
  tune::Journal j(f.state_dir);
  tune::StateLock lock(f.state_dir);
  std::vector<std::string> warnings;
  (void)j.load(&warnings);
  for (auto& w : warnings) log_line("tune: journal warning: " + w);
  // First undo what a crash left on trial: unproven changes never survive a restart.
  auto rec = tune::recover_on_trial(j, log_line);
  if (rec.restored || rec.skipped || rec.failed)
    log_line(fmt::format("tune: recovery: {} restored, {} skipped, {} failed", rec.restored,
                         rec.skipped, rec.failed));
  tune::ControllerOptions co;
  co.baseline_window = f.window;
  co.eval_window = f.eval_window > 0 ? f.eval_window : f.window;
  // tuning.writeback is the explicit opt-in for the vm.dirty_* knobs.
  co.allow_host_wide = f.allow_host_wide || f.writeback;
  co.cooldown = std::chrono::seconds(std::lround(f.cooldown_s));
  co.knob_rate_limit = std::chrono::seconds(std::lround(f.rate_limit_s));
  co.tuner = tuner_options(f);
  tune::Controller ctl(j, co, log_line, pick_tuners(f.tuners));
  engine::Collector collector(ef.options());
  log_line("tune: applying (journal " + j.path() + ", on exit: " + f.on_exit + ")");
  auto start = std::chrono::steady_clock::now();
  auto done = [&] {
    return stop_requested() ||
           (f.duration_s > 0 &&
            std::chrono::steady_clock::now() - start > std::chrono::duration<double>(f.duration_s));
  };
  std::unique_ptr<tune::PredictiveScaler> predictive;
  if (!f.predictive.empty()) {
    tune::PredictiveOptions po;
    po.scope = f.predictive;
    po.ceiling_cpus = f.cpu_quota_max;
    po.tuner = tuner_options(f);  // the memory_high tuner's bounds
    predictive = std::make_unique<tune::PredictiveScaler>(j, po, log_line);
    log_line("tune: predictive CPU and memory scaling for cgroups matching \"" + f.predictive +
             "\" (peaks from the analytics season detection and forecast)");
  }
  while (!done()) {
    auto s = collector.next(done);
    if (!s) break;
    ctl.step(*s);
    if (predictive) predictive->step(*s);
  }
  if (predictive) predictive->stop();
  ctl.abandon_trials("kpulse stopping before the evaluation finished");
  if (f.on_exit == "rollback") {
    auto r = tune::rollback_all(j, log_line);
    log_line(fmt::format("tune: on exit rollback: {} restored, {} skipped, {} failed", r.restored,
                         r.skipped, r.failed));
  }
  return 0;
}

int run_tune(const EngineFlags& ef, TuneFlags f) {
  int modes = f.apply + f.rollback + f.status + !f.undo.empty();
  if (modes > 1) throw UsageError("--apply, --rollback, --undo and --status exclude each other");
  if (f.status) return run_status(f);
  if (f.rollback || !f.undo.empty()) {
    tune::Journal j(f.state_dir);
    tune::StateLock lock(f.state_dir);
    int rc = 0;
    if (f.rollback) {
      auto r = tune::rollback_all(j, log_line);
      log_line(fmt::format("tune: rollback: {} restored, {} skipped, {} failed", r.restored,
                           r.skipped, r.failed));
      rc = r.failed ? 1 : 0;
    } else {
      rc = tune::undo_change(j, f.undo, log_line) ? 0 : 1;
    }
    return rc;
  }
  read_config(f);
  install_stop_handlers();
  if (f.apply) return run_apply(ef, f);
  return run_plan(ef, f);
}

}  // namespace

void register_tune(CLI::App& root, Registry& reg) {
  auto engine_flags = std::make_shared<EngineFlags>();
  auto flags = std::make_shared<TuneFlags>();
  auto* app = root.add_subcommand(
      "tune", "Auto-tuning: print the plan (default), --apply it in a closed loop, --rollback");
  add_engine_flags(*app, engine_flags);
  app->add_flag("--apply", flags->apply, "Run experiments: change, measure, keep or revert");
  app->add_flag("--rollback", flags->rollback, "Restore every value kpulse changed");
  app->add_option("--undo", flags->undo, "Restore one change by id (see --status)");
  app->add_flag("--status", flags->status, "List kpulse's changes in force");
  add_format_option(*app, flags->json, "With --status: JSON output");
  app->add_option("--state-dir", flags->state_dir, "Where the journal lives")
      ->capture_default_str();
  app->add_option("--on-exit", flags->on_exit, "keep | rollback: kept changes when --apply ends")
      ->capture_default_str();
  app->add_option("--window", flags->window, "Baseline and evaluation window, in intervals")
      ->capture_default_str()
      ->check(CLI::Range(2, 600));
  app->add_option("--eval-window", flags->eval_window,
                  "Evaluation window in intervals, if different from --window")
      ->check(CLI::Range(2, 3600));
  app->add_option("--samples", flags->samples, "Dry run: snapshots to look at")
      ->capture_default_str()
      ->check(CLI::Range(2, 600));
  duration_option(*app, "--duration", flags->duration_s, "With --apply: stop after this long");
  app->add_flag("--allow-host-wide", flags->allow_host_wide,
                "Also tune host-wide knobs (vm.dirty_*)");
  app->add_option("--cpu-quota-max", flags->cpu_quota_max, "Ceiling for cpu.max, in CPUs (0: all)");
  app->add_option("--memory-high-max", flags->memory_high_max, "Ceiling for memory.high, bytes");
  app->add_option("--read-ahead-max", flags->read_ahead_max, "Ceiling for read_ahead_kb")
      ->capture_default_str();
  app->add_option("--step", flags->step, "Step, as a fraction of the distance to the ceiling")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 1.0));
  duration_option(*app, "--cooldown", flags->cooldown_s,
                  "How long to leave a knob alone after a revert")
      ->capture_default_str();
  duration_option(*app, "--rate-limit", flags->rate_limit_s,
                  "Minimum time between writes to a knob")
      ->capture_default_str();
  app->add_option(
      "--tuners", flags->tuners,
      "Comma list of cpu_quota,tcp_buffers,read_ahead,somaxconn,memory_high,syn_backlog,"
      "cpu_weight,block_queue,writeback, or none");
  app->add_option("--config", flags->config_path,
                  "Configuration file for [tuning] writeback (default: " +
                      std::string(config::kDefaultConfigPath) + " if present)");
  app->add_option("--min-idle-cpu", flags->min_idle_cpus,
                  "Idle host CPUs required before raising a CPU quota")
      ->capture_default_str();
  app->add_option("--predictive", flags->predictive,
                  "With --apply: raise the CPU quota and memory.high of cgroups matching this "
                  "ahead of forecast periodic peaks, lower them after");
  app->add_option("--scope", flags->scope,
                  "Only knobs whose key contains this (a cgroup path, a disk, \"netns:INODE\")");
  reg.push_back({app, [engine_flags, flags] { return run_tune(*engine_flags, *flags); }});
}

}  // namespace kpulse::cli
