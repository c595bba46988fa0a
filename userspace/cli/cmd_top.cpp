// `kpulse top`: the top-style terminal UI over the live collector (or, for
// tests and demos, a clearly labelled synthetic host).
#include <chrono>
#include <cmath>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/conventions.h"
#include "cli/top_analysis.h"
#include "engine/collector.h"
#include "tests/support/synthetic_source.h"
#include "tui/top_app.h"

namespace kpulse::cli {
namespace {

// The live source: one collector snapshot per interval.
class LiveSource : public model::SnapshotSource {
 public:
  explicit LiveSource(engine::CollectorOptions options) : collector_(std::move(options)) {}
  std::optional<model::Snapshot> next() override { return collector_.next(); }
  [[nodiscard]] std::string describe() const override { return "live"; }

 private:
  engine::Collector collector_;
};

struct TopArgs {
  tui::TopOptions ui;
  std::string source = "live";
  bool no_bpf = false;
  size_t max_processes = 500;
  std::string history = "/var/lib/kpulse/recordings";
  std::string state_dir = "/var/lib/kpulse";
};

std::chrono::milliseconds delay_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long>(std::lround(seconds * 1000)));
}

int run(const TopArgs& args) {
  std::unique_ptr<model::SnapshotSource> source;
  if (args.source == "synthetic") {
    synthetic::SyntheticOptions synth;
    synth.interval = delay_ms(args.ui.delay_s);
    source = std::make_unique<synthetic::SyntheticSource>(synth);
  } else {
    engine::CollectorOptions options;
    options.interval = delay_ms(args.ui.delay_s);
    options.enable_bpf = !args.no_bpf;
    options.max_processes = args.max_processes;
    source = std::make_unique<LiveSource>(std::move(options));
  }
  tui::TopOptions ui = args.ui;
  TopAnalysisOptions analysis;
  // The daemon's recording (when one runs here) gives forecasts days of past.
  if (args.source == "live" && !args.history.empty()) analysis.history_dir = args.history;
  if (args.source == "live") analysis.state_dir = args.state_dir;
  ui.analyze = make_top_analysis(analysis);
  return tui::run_top(*source, ui);
}

}  // namespace

void register_top(CLI::App& root, Registry& reg) {
  auto* app = root.add_subcommand("top",
                                  "Interactive top-style view of the host, cgroups and "
                                  "processes (h for help, q to quit)");
  auto args = std::make_shared<TopArgs>();
  tui::add_top_options(*app, args->ui);
  app->add_flag("--no-bpf", args->no_bpf,
                "Only what /proc and cgroupfs report (no privileges needed)");
  app->add_option("--processes", args->max_processes, "Process rows per interval, busiest first")
      ->check(positive())
      ->capture_default_str();
  // The name before 0.2, kept working but hidden (empty group).
  app->add_option("--max-processes", args->max_processes, "Same as --processes")
      ->check(positive())
      ->group("");
  app->add_option("--history", args->history,
                  "Recording whose past warms the forecasts (\"\" for none); a missing "
                  "directory is skipped")
      ->capture_default_str();
  app->add_option("--state-dir", args->state_dir,
                  "State directory whose tuning journal the alerts view lists (changes in force)")
      ->capture_default_str();
  // Development and tests only: a deterministic fake host, labelled
  // [synthetic] on every screen. Hidden from --help (empty group).
  app->add_option("--source", args->source, "Snapshot source")
      ->check(CLI::IsMember({"live", "synthetic"}))
      ->group("");
  reg.push_back({app, [args] { return run(*args); }});
}

}  // namespace kpulse::cli
