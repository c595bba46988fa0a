// `kpulse analyze`: analytics over metric series. `--series FILE` analyses a
// recorded `timestamp,value` CSV offline; live modes attach to the same
// subcommand later.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "analytics/anomaly_score_csv.h"
#include "cli/commands.h"

namespace kpulse::cli {
namespace {

struct AnalyzeOptions {
  std::string series;  // CSV path, "-" for standard input
  bool anomaly_scores = false;
};

int run_analyze(const AnalyzeOptions& opt) {
  if (opt.series.empty())
    throw std::runtime_error(
        "analyze: give --series FILE.csv (live analysis is not available yet)");
  if (!opt.anomaly_scores)
    throw std::runtime_error("analyze --series: choose what to compute, e.g. --anomaly-scores");
  // Scores stream out row by row, so a long file (or a pipe) needs no memory.
  if (opt.series == "-") {
    analytics::score_series_csv(std::cin, std::cout, "<stdin>");
    return 0;
  }
  std::ifstream in(opt.series);
  if (!in) throw std::runtime_error(opt.series + ": cannot open: " + std::strerror(errno));
  analytics::score_series_csv(in, std::cout, opt.series);
  return 0;
}

}  // namespace

void register_analyze(CLI::App& root, Registry& reg) {
  auto* app =
      root.add_subcommand("analyze", "Anomaly scores and other analytics over metric series");
  auto opt = std::make_shared<AnalyzeOptions>();
  app->add_option("--series", opt->series,
                  "Analyse a recorded series: CSV with header timestamp,value ('-' for stdin); "
                  "timestamps are unix seconds or YYYY-MM-DD HH:MM:SS (UTC)");
  app->add_flag("--anomaly-scores", opt->anomaly_scores,
                "Print timestamp,value,anomaly_score for every row; each score in [0,1] uses only "
                "that row and earlier ones");
  reg.push_back({app, [opt] { return run_analyze(*opt); }});
}

}  // namespace kpulse::cli
