// `kpulse replay DIR`: the top UI over a recording; [ and ] step through it.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/conventions.h"
#include "cli/top_analysis.h"
#include "cli/user_files.h"
#include "cli/analysis_warmup.h"
#include "cli/replay_profile.h"
#include "cli/time_arg.h"
#include "model/clock.h"
#include "record/recording_source.h"
#include "tui/top_app.h"

namespace kpulse::cli {
namespace {

struct ReplayArgs {
  tui::TopOptions ui;
  std::string dir;
  std::string at;
  std::string tier = "full";
  bool no_analysis = false;
};

int run(ReplayArgs a) {
  drop_privileges_for_user_files();
  a.dir = recording_dir_of(a.dir);
  record::RecordingSourceOptions o;
  o.tier = *record::tier_from_string(a.tier);
  o.pace = std::chrono::milliseconds(static_cast<long>(std::lround(a.ui.delay_s * 1000)));
  if (!a.at.empty()) {
    const int64_t now = model::wall_clock_ns();
    o.start_ns = parse_time_arg(a.at, now);
  }
  record::RecordingSource source(a.dir, o);
  tui::TopOptions ui = a.ui;
  ui.parse_time = [](const std::string& text, int64_t now) { return parse_time_arg(text, now); };
  ui.profile = make_replay_profile(a.dir);
  if (!a.no_analysis) {
    // Alerts and patterns as they were at each replayed moment: detectors
    // warmed from the recording's past before the first one shown (and
    // again after each jump); forecasts from all of that past.
    TopAnalysisOptions analysis;
    analysis.history_dir = a.dir;
    analysis.warmup_s = kWarmupSeconds;
    ui.analyze = make_top_analysis(analysis);
  }
  const int rc = tui::run_top(source, ui);
  // After the screen is given back, so the terminal UI does not paint over
  // them; batch frames stay clean on stdout.
  for (const auto& w : source.warnings())
    std::fprintf(stderr, "kpulse replay: warning: %s\n", w.c_str());
  return rc;
}

}  // namespace

void register_replay(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand(
      "replay",
      "The top view over a recording (] and [ step forward and back, p pauses, 8 shows the "
      "recorded CPU stacks)");
  auto args = std::make_shared<ReplayArgs>();
  tui::add_top_options(*app, args->ui);
  app->add_option("dir", args->dir,
                  "Recording directory, or the state directory holding recordings/ (e.g. "
                  "/var/lib/kpulse)")
      ->required()
      ->check(CLI::ExistingDirectory);
  app->add_option("--at", args->at,
                  "Start at this time: Unix seconds, UTC ISO 8601 or relative (-2h)");
  app->add_option("--tier", args->tier, "Resolution: full, 1m or 1h")
      ->check(CLI::IsMember({"full", "1m", "1h"}))
      ->capture_default_str();
  app->add_flag("--no-analysis", args->no_analysis,
                "Skip alerts, patterns and forecasts (faster start on long recordings)");
  reg.push_back({app, [args] { return run(*args); }});
}

}  // namespace kpulse::cli
