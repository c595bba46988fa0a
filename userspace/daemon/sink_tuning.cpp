// The auto-tuner as a daemon sink (tune/controller.h): `tuning.enabled`
// turns it on; `tuning.dry_run` (the default) only logs what it would
// change, otherwise it runs the closed loop (and, with `tuning.predictive`,
// predictive scaling beside it). Every action is a log line and,
// with OTLP on, a `kpulse.tuning` log record. Before anything else it
// reverts what a crash left on trial, so an unproven change never survives
// a restart.
#include <chrono>
#include <map>

#include "daemon/log.h"
#include "daemon/sinks.h"
#include "model/clock.h"
#include "tune/controller.h"
#include "tune/journal.h"
#include "tune/planner.h"
#include "tune/predictive.h"
#include "tune/restore.h"
#include "tune/state_lock.h"
#include "tune/tuners.h"

namespace kpulse::daemon {
namespace {

// Snapshots the dry run lets tuners look back over (their rates need two).
constexpr size_t kDryRunHistory = 10;

class TuningSink : public SnapshotSink {
 public:
  TuningSink(const config::Config& c, std::shared_ptr<EventQueue> events,
             std::shared_ptr<dashboard::Board> board)
      : events_(std::move(events)),
        board_(std::move(board)),
        dry_run_(c.tuning.dry_run),
        on_exit_(c.tuning.on_exit) {
    tune::TunerOptions options;
    options.scope = c.tuning.scope;
    options.min_idle_cpus = c.tuning.min_idle_cpus;
    // vm.dirty_* are host-wide: only with the explicit opt-in.
    options.writeback = c.tuning.writeback;
    if (dry_run_) {
      planner_ = std::make_unique<tune::Planner>(tune::default_tuners(), options, kDryRunHistory);
      log(LogLevel::Info, "tuning: dry run (tuning.dry_run = true): changes are logged, not made");
      return;
    }
    journal_ = std::make_unique<tune::Journal>(c.state.dir);
    lock_ = std::make_unique<tune::StateLock>(c.state.dir);
    std::vector<std::string> warnings;
    (void)journal_->load(&warnings);
    for (const auto& w : warnings) log(LogLevel::Warning, "tuning: journal: {}", w);
    auto said = [this](const std::string& line) { action(line); };
    auto rec = tune::recover_on_trial(*journal_, said);
    if (rec.restored || rec.skipped || rec.failed)
      action(fmt::format("tune: recovery after an unclean stop: {} restored, {} skipped, {} failed",
                         rec.restored, rec.skipped, rec.failed));
    tune::ControllerOptions co;
    co.baseline_window = static_cast<int>(c.tuning.window);
    co.eval_window =
        static_cast<int>(c.tuning.eval_window ? c.tuning.eval_window : c.tuning.window);
    co.tuner = options;
    co.allow_host_wide = c.tuning.writeback;
    controller_ = std::make_unique<tune::Controller>(*journal_, co, said, tune::default_tuners());
    if (!c.tuning.predictive.empty()) {
      tune::PredictiveOptions po;
      po.scope = c.tuning.predictive;
      po.tuner = options;  // the memory_high tuner's bounds
      predictive_ = std::make_unique<tune::PredictiveScaler>(*journal_, po, said);
      log(LogLevel::Notice, "tuning: predictive scaling for cgroups matching \"{}\"",
          c.tuning.predictive);
    }
    log(LogLevel::Notice, "tuning: applying (journal {}, on exit: {})", journal_->path(), on_exit_);
  }

  [[nodiscard]] std::string name() const override { return "tuning"; }

  void consume(const model::Snapshot& s) override {
    if (controller_) {
      controller_->step(s);
      if (predictive_) predictive_->step(s);
      publish_in_force();
      return;
    }
    for (const auto& p : planner_->step(s)) {
      // Said once per knob and proposed value, not every interval.
      auto& last = proposed_[p.knob.key()];
      if (last == p.proposed_raw) continue;
      last = p.proposed_raw;
      action(fmt::format("tune (dry run): {}: would set {}{} {} -> {}; evidence: {}; expected: {}",
                         p.scenario, p.knob.key(),
                         p.netns_name.empty() ? "" : " [netns " + p.netns_name + "]", p.current_raw,
                         p.proposed_raw, p.evidence, p.expected_gain));
    }
  }

  void flush() override {
    if (!controller_) return;
    if (predictive_) predictive_->stop();
    controller_->abandon_trials("kpulse stopping before the evaluation finished");
    if (on_exit_ == "rollback") {
      auto said = [this](const std::string& line) { action(line); };
      auto r = tune::rollback_all(*journal_, said);
      action(fmt::format("tune: on exit rollback: {} restored, {} skipped, {} failed", r.restored,
                         r.skipped, r.failed));
    }
  }

  [[nodiscard]] std::string status() const override {
    return fmt::format("{} actions{}", actions_,
                       controller_ ? fmt::format(", {} experiments running", controller_->running())
                                   : std::string(" (dry run)"));
  }

 private:
  // The changes in force, for the dashboard's drill-down: re-read from the
  // journal only after an action, and only while someone is looking.
  void publish_in_force() {
    if (!board_ || !journal_ || !board_->wanted() || published_actions_ == actions_) return;
    published_actions_ = actions_;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : journal_->load()) {
      if (!c.in_force()) continue;
      out.push_back({{"id", c.id},
                     {"knob", c.knob.key()},
                     {"netns", c.netns_name},
                     {"original", c.original},
                     {"written", c.written},
                     {"state", std::string(tune::to_string(c.state))},
                     {"scenario", c.scenario},
                     {"why", c.why},
                     {"time_ns", c.time_ns},
                     {"undo", c.undo_command()}});
    }
    board_->publish_tuning(std::move(out));
  }

  // One line per action: the log, and an OTLP log record when exporting.
  void action(const std::string& line) {
    ++actions_;
    log(LogLevel::Notice, "{}", line);
    if (!events_) return;
    exporters::ExportEvent e;
    e.time_ns = model::wall_clock_ns();
    e.severity = exporters::EventSeverity::Info;
    e.name = "kpulse.tuning";
    e.body = line;
    e.attributes = {{"kpulse.tuning.mode", dry_run_ ? "dry_run" : "apply"}};
    events_->push(std::move(e));
  }

  std::shared_ptr<EventQueue> events_;
  std::shared_ptr<dashboard::Board> board_;
  uint64_t published_actions_ = UINT64_MAX;
  bool dry_run_;
  std::string on_exit_;
  std::unique_ptr<tune::Journal> journal_;
  std::unique_ptr<tune::StateLock> lock_;
  std::unique_ptr<tune::Controller> controller_;
  std::unique_ptr<tune::PredictiveScaler> predictive_;  // with tuning.predictive
  // Dry run only.
  std::unique_ptr<tune::Planner> planner_;
  std::map<std::string, std::string> proposed_;  // knob key -> last proposed value
  uint64_t actions_ = 0;
};

}  // namespace

std::unique_ptr<SnapshotSink> make_tuning_sink(const config::Config& config,
                                               std::shared_ptr<EventQueue> events,
                                               std::shared_ptr<dashboard::Board> board) {
  return std::make_unique<TuningSink>(config, std::move(events), std::move(board));
}

}  // namespace kpulse::daemon
