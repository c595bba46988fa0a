// `kpulse report DIR [--from T --to T] -o report.html`: one self-contained
// HTML report of a recorded period (docs/report.md).
#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/profile_findings.h"
#include "cli/conventions.h"
#include "cli/html_report_analysis.h"
#include "cli/user_files.h"
#include "config/config.h"
#include "daemon/capabilities.h"
#include "engine/collector.h"
#include "model/clock.h"
#include "report/html_report.h"
#include "report/time_arg.h"
#include "tests/support/synthetic_source.h"

#include "record/reader.h"

namespace kpulse::cli {
namespace {

struct ReportArgs {
  std::string dir;
  std::string from, to;
  std::string output = "report.html";
  std::string config_path;
  // Development and tests: "recording" (DIR), "synthetic" or "live"
  // (collects --count snapshots now).
  std::string source = "recording";
  int count = 60;
  double interval_s = 1.0;
  bool no_analysis = false;
  std::string state_dir;  // the tuning journal's; default: DIR's parent
};

int64_t time_or_throw(const std::string& text, const char* flag, int64_t fallback) {
  if (text.empty()) return fallback;
  auto t = report::parse_time_arg(text, model::wall_clock_ns());
  if (!t)
    throw std::runtime_error(std::string("report: ") + flag + " \"" + text +
                             "\": expected Unix seconds, YYYY-MM-DDTHH:MM[:SS][Z] (UTC) or "
                             "-N{s,m,h,d}");
  return *t;
}

// `warnings`: damaged or skipped recording data (printed here too).
std::vector<model::Snapshot> load_snapshots(const ReportArgs& a, int64_t from, int64_t to,
                                            std::string& source,
                                            std::vector<std::string>& warnings) {
  std::vector<model::Snapshot> out;
  if (a.source == "synthetic") {
    synthetic::SyntheticSource synth({});
    for (int i = 0; i < a.count; ++i) out.push_back(*synth.next());
    source = "synthetic host (not measurements)";
  } else if (a.source == "live") {
    engine::CollectorOptions o;
    o.interval = std::chrono::milliseconds(static_cast<long>(a.interval_s * 1000));
    engine::Collector collector(o);
    for (int i = 0; i < a.count; ++i) out.push_back(collector.next());
    source = "live collection";
  } else {
    // Clamp open ends to what the tiers hold, then take the finest tier
    // covering each part of the period (older days survive only downsampled).
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (auto tier : {record::Tier::Full, record::Tier::Minute, record::Tier::Hour}) {
      record::RecordingReader reader(a.dir, tier);
      if (auto r = reader.time_range()) {
        first = std::min(first, r->first_ns);
        last = std::max(last, r->last_ns);
      }
    }
    if (first > last) throw std::runtime_error("report: no recording in " + a.dir);
    out = record::load_history(a.dir, std::max(from, first), std::min(to, last), &warnings);
    for (const auto& w : warnings) std::fprintf(stderr, "kpulse: warning: %s\n", w.c_str());
    source = a.dir;
  }
  std::erase_if(out, [&](const model::Snapshot& s) { return s.time_ns < from || s.time_ns > to; });
  return out;
}

int run(const ReportArgs& a) {
  int64_t from = time_or_throw(a.from, "--from", INT64_MIN);
  int64_t to = time_or_throw(a.to, "--to", INT64_MAX);
  if (from > to) throw std::runtime_error("report: --from is after --to");

  // A live report collects (privileged); one from a recording only reads.
  if (a.source == "recording") drop_privileges_for_user_files();
  report::ReportInput input;
  std::string cfg_path = a.config_path;
  if (cfg_path.empty() && std::filesystem::exists(config::kDefaultConfigPath))
    cfg_path = config::kDefaultConfigPath;
  if (!cfg_path.empty()) {
    const daemon::UserFileAccess as_user;
    config::Config cfg = config::load_config(cfg_path);
    input.thresholds = {cfg.report.cpu_saturation, cfg.report.memory_saturation,
                        cfg.report.psi_saturation, cfg.report.disk_saturation};
  }
  input.snapshots = load_snapshots(a, from, to, input.source, input.data_warnings);
  if (input.snapshots.empty())
    throw std::runtime_error("report: no snapshots between --from and --to in " + input.source);
  if (!a.no_analysis) {
    std::optional<std::filesystem::path> history;
    if (a.source == "recording") history = a.dir;
    add_analysis(input, history);
  }
  if (a.source == "recording") {
    const int64_t end = input.snapshots.back().time_ns;
    input.profile = profile_notes(profile_findings(a.dir, input.snapshots.front().time_ns, end,
                                                   cpu_incidents(input.alerts, end)));
  }
  // The daemon keeps its journal in the state directory, which holds the
  // recordings by default; --state-dir when they live apart.
  std::filesystem::path state = a.state_dir;
  if (state.empty() && a.source == "recording")
    state = std::filesystem::absolute(a.dir).lexically_normal().parent_path();
  if (!state.empty()) add_tuning_history(input, state);
  std::string html = report::render_html(input);
  std::ofstream out(a.output, std::ios::binary | std::ios::trunc);
  out << html;
  out.close();
  if (!out) throw std::runtime_error("report: cannot write " + a.output);
  std::fprintf(stderr, "kpulse: wrote %s (%zu snapshots, %zu bytes)%s\n", a.output.c_str(),
               input.snapshots.size(), html.size(),
               input.data_warnings.empty()
                   ? ""
                   : fmt::format("; {} damaged or skipped parts of the recording (warnings above, "
                                 "and in the report)",
                                 input.data_warnings.size())
                         .c_str());
  return 0;
}

}  // namespace

void register_report(CLI::App& root, Registry& reg) {
  auto* app =
      root.add_subcommand("report", "Write a self-contained HTML report of a recorded period");
  auto a = std::make_shared<ReportArgs>();
  app->add_option("dir", a->dir,
                  "Recording directory, or the state directory holding recordings/ (e.g. "
                  "/var/lib/kpulse)");
  app->add_option("--from", a->from, "Start: Unix seconds, 2026-11-24T12:00Z (UTC) or -2h");
  app->add_option("--to", a->to, "End, same forms as --from");
  app->add_option("-o,--output", a->output, "Output file")->capture_default_str();
  app->add_option(
      "-c,--config", a->config_path,
      "Configuration file for the [report] thresholds (default: /etc/kpulse/kpulse.toml "
      "if present)");
  app->add_flag("--no-analysis", a->no_analysis,
                "Leave out alerts, patterns, forecasts and recommendations (the analytics "
                "replays every snapshot of the period)");
  app->add_option("--state-dir", a->state_dir,
                  "State directory whose tuning journal fills the tuning history (default: the "
                  "recording directory's parent, as kpulse run lays them out)");
  // Development and tests only: hidden (empty group).
  app->add_option("--source", a->source, "Snapshot source")
      ->check(CLI::IsMember({"recording", "synthetic", "live"}))
      ->group("");
  app->add_option("--count", a->count, "Snapshots for --source synthetic|live")->group("");
  duration_option(*app, "--interval", a->interval_s, "Interval for --source live")->group("");
  reg.push_back({app, [a] {
                   if (a->source == "recording" && a->dir.empty())
                     throw UsageError("report: give the recording directory");
                   if (a->source == "recording") {
                     drop_privileges_for_user_files();  // before looking at user paths
                     a->dir = recording_dir_of(a->dir);
                   }
                   return run(*a);
                 }});
}

}  // namespace kpulse::cli
