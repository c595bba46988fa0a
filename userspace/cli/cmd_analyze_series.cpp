// `kpulse analyze`: analytics over metric series. `--series FILE` analyses a
// recorded `timestamp,value` CSV offline; without it, the live host is
// analysed for --duration seconds (cli/analyze_live.cpp).
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "analytics/anomaly_score_csv.h"
#include "cli/analyze_live.h"
#include "cli/commands.h"
#include "cli/conventions.h"
#include "cli/user_files.h"

namespace kpulse::cli {
namespace {

struct AnalyzeOptions {
  std::string series;  // CSV path, "-" for standard input
  bool anomaly_scores = false;
  std::string anomaly_model = "blend";
  LiveAnalyzeOptions live;
  RecordingAnalyzeOptions recording;
};

int run_analyze(const AnalyzeOptions& opt) {
  if (opt.series.empty()) {
    if (opt.anomaly_scores) throw UsageError("analyze: --anomaly-scores needs --series FILE.csv");
    if (!opt.recording.dir.empty()) {
      if (opt.live.profile)
        throw UsageError(
            "analyze: --profile samples the live host; with --recording the daemon's recorded "
            "stacks are read without it");
      drop_privileges_for_user_files();
      RecordingAnalyzeOptions r = opt.recording;
      r.dir = recording_dir_of(r.dir);
      r.json = opt.live.json;
      r.quiet = opt.live.quiet;
      r.scope = opt.live.scope;
      return run_analyze_recording(r);
    }
    if (!opt.recording.from.empty() || !opt.recording.to.empty())
      throw UsageError("analyze: --from and --to need --recording DIR");
    return run_analyze_live(opt.live);
  }
  if (!opt.anomaly_scores)
    throw UsageError("analyze --series: choose what to compute, e.g. --anomaly-scores");
  drop_privileges_for_user_files();
  // The option's IsMember check admits only names anomaly_model_named knows.
  const auto model = *analytics::anomaly_model_named(opt.anomaly_model);
  // Scores stream out row by row, so a long file (or a pipe) needs no memory.
  if (opt.series == "-") {
    analytics::score_series_csv(std::cin, std::cout, "<stdin>", std::cerr, model);
    return 0;
  }
  std::ifstream in(opt.series);
  if (!in) throw std::runtime_error(opt.series + ": cannot open: " + std::strerror(errno));
  analytics::score_series_csv(in, std::cout, opt.series, std::cerr, model);
  return 0;
}

}  // namespace

void register_analyze(CLI::App& root, Registry& reg) {
  auto* app =
      root.add_subcommand("analyze",
                          "Bottlenecks, alerts, workload patterns, forecasts and recommendations "
                          "for the live host or a recording, or anomaly scores over a series");
  auto opt = std::make_shared<AnalyzeOptions>();
  app->add_option("--series", opt->series,
                  "Analyse a recorded series: CSV with header timestamp,value ('-' for stdin); "
                  "timestamps are unix seconds or YYYY-MM-DD HH:MM:SS (UTC)");
  app->add_flag("--anomaly-scores", opt->anomaly_scores,
                "Print timestamp,value,anomaly_score for every row; each score in [0,1] uses only "
                "that row and earlier ones");
  app->add_option("--anomaly-model", opt->anomaly_model,
                  "Learner for --anomaly-scores: blend (the mean of the baseline and the "
                  "contextual novelty learner, best under leave-one-category-out NAB "
                  "cross-validation; live alerts use it too), baseline, or context")
      ->check(CLI::IsMember({"blend", "baseline", "context"}))
      ->capture_default_str();
  duration_option(*app, "--duration", opt->live.duration_s,
                  "Live: how long to observe (30s, 5m; plain number: seconds) (0: until "
                  "interrupted); detectors learn each "
                  "signal's baseline over the first 20 intervals and raise no alert before")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  add_format_option(*app, opt->live.json, "Print one JSON document at the end");
  app->add_option("--scope", opt->live.scope,
                  "Live: only watch components whose key starts with this (e.g. cgroup:/app); "
                  "repeatable");
  app->add_flag("-q,--quiet", opt->live.quiet, "Live: no alert lines while running");
  app->add_option("--recording", opt->recording.dir,
                  "Analyse a recording directory (or the state directory holding recordings/, "
                  "e.g. /var/lib/kpulse) instead of the live host");
  app->add_option("--from", opt->recording.from,
                  "Recording: start, as Unix seconds, 2026-11-24T12:00Z (UTC) or -2h");
  app->add_option("--to", opt->recording.to, "Recording: end, same forms as --from");
  app->add_option("--history", opt->live.history,
                  "Live: recording whose past warms the forecaster (hours to days ahead need "
                  "days to weeks of history); '' for none")
      ->capture_default_str();
  app->add_flag("--profile", opt->live.profile,
                "Live: also sample on-CPU stacks (the profile group) and name the function each "
                "busy cgroup, and each CPU alert's cause, spends its CPU in (49 Hz per CPU)");
  add_engine_flags(*app, opt->live.engine);
  reg.push_back({app, [opt] { return run_analyze(*opt); }});
}

}  // namespace kpulse::cli
