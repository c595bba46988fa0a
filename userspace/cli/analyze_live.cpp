#include "cli/analyze_live.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>

#include "analytics/analyzer.h"
#include "cli/analysis_output.h"
#include "cli/analysis_warmup.h"
#include "cli/profile_findings.h"
#include "daemon/history_preload.h"
#include "engine/collector.h"
#include "model/clock.h"
#include "profile/profile_session.h"
#include "record/reader.h"
#include "report/time_arg.h"

namespace kpulse::cli {
namespace {

// The samples of cgroups inside --scope ("cgroup:/app" prefixes); all of
// them without one.
profile::Profile in_scope(profile::Profile p, const std::vector<std::string>& scope) {
  if (scope.empty()) return p;
  std::erase_if(p.samples, [&scope](const profile::StackSample& s) {
    const std::string key = "cgroup:" + s.cgroup;
    return std::none_of(scope.begin(), scope.end(),
                        [&key](const std::string& prefix) { return key.starts_with(prefix); });
  });
  return p;
}

// Ingests one snapshot, prints its alert transitions as they happen.
struct AnalysisRun {
  analytics::Analyzer analyzer;
  std::vector<analytics::Alert> history;
  analytics::AnalysisResult last;
  bool print_transitions = true;

  explicit AnalysisRun(const std::vector<std::string>& scope, bool print)
      : analyzer(config(scope)), print_transitions(print) {}
  static analytics::AnalyzerConfig config(const std::vector<std::string>& scope) {
    analytics::AnalyzerConfig cfg;
    cfg.bottleneck.scope = scope;
    return cfg;
  }
  // Every recommendation made during the run, once each, in its latest form
  // and in the order first made: the last interval's alone lose those of an
  // incident that ended before it (a run that alerted throughout reported
  // none when its final interval had no bottleneck).
  std::vector<analytics::Recommendation> recommended;

  void remember(const std::vector<analytics::Recommendation>& made) {
    for (const auto& r : made) {
      auto same = std::find_if(recommended.begin(), recommended.end(),
                               [&r](const analytics::Recommendation& x) { return x.id == r.id; });
      if (same == recommended.end())
        recommended.push_back(r);
      else
        *same = r;
    }
  }
  void ingest(const model::Snapshot& snap) {
    last = analyzer.ingest(snap);
    remember(last.recommendations);
    for (const auto& a : last.transitions) {
      history.push_back(a);
      if (print_transitions) print_transition(std::cout, a);
    }
  }
  // The report shows forecasts from everything seen, not from the last
  // scheduled round (which may be up to a minute old or not yet run).
  void finish() { last.forecast_round = analyzer.refresh_forecasts(); }
  // Damaged or skipped recording data (analyze --recording); in --json as
  // "recording_warnings".
  std::vector<std::string> data_warnings;
  // The recorded CPU profile of the period (analyze --recording).
  std::optional<ProfileFindings> profile;

  void report(bool json, double duration_s) const {
    analytics::AnalysisResult shown = last;
    shown.recommendations = recommended;
    if (json) {
      auto doc = report_json(shown, history, duration_s);
      if (!data_warnings.empty()) doc["recording_warnings"] = data_warnings;
      if (profile) doc["cpu_profile"] = profile_findings_json(*profile);
      std::cout << doc.dump(2) << "\n";
    } else {
      print_report(std::cout, shown, history, duration_s, analyzer.forecaster().waiting_reason());
      if (profile) print_profile_findings(std::cout, *profile);
    }
  }
  // Each alert once, in its latest state.
  [[nodiscard]] std::vector<analytics::Alert> alerts_seen() const {
    std::map<std::string, analytics::Alert> by_id;
    for (const auto& a : history) by_id[a.id] = a;
    for (const auto& a : last.active_alerts) by_id[a.id] = a;
    std::vector<analytics::Alert> out;
    out.reserve(by_id.size());
    for (auto& [_, a] : by_id) out.push_back(std::move(a));
    return out;
  }
};

}  // namespace

int run_analyze_live(const LiveAnalyzeOptions& opt) {
  install_stop_handlers();
  engine::Collector collector(opt.engine->options());
  AnalysisRun run(opt.scope, !opt.json && !opt.quiet);
  std::optional<profile::BackgroundProfile> sampler;
  if (opt.profile) {
    profile::SessionOptions so;
    so.probe.frequency_hz = opt.profile_hz;
    // Bounded like the run; 0 (until interrupted) runs until finish().
    so.duration_s = opt.duration_s > 0 ? opt.duration_s + 5 : 1e12;
    // A host-wide run meets many processes: the daemon's symbol bound.
    so.max_cached_symbols = 200'000;
    sampler.emplace(so);
  }
  if (!opt.history.empty()) {
    auto r = daemon::preload_history(run.analyzer, opt.history, model::wall_clock_ns());
    if (r.snapshots > 0 && !opt.json)
      std::fprintf(stderr, "kpulse: forecasts start from %zu recorded snapshots (%.1f h) in %s\n",
                   r.snapshots, (r.last_ns - r.first_ns) / 3.6e12, opt.history.c_str());
  }

  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  while (!stop_requested() && (opt.duration_s <= 0 || elapsed() < opt.duration_s)) {
    auto snap = collector.next([] { return stop_requested(); });
    if (!snap) break;
    run.ingest(*snap);
    std::cout.flush();
  }
  run.finish();
  if (sampler) {
    try {
      run.profile = profile_findings(in_scope(sampler->finish(), opt.scope),
                                     cpu_incidents(run.alerts_seen(), model::wall_clock_ns()));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "kpulse: --profile: no CPU profile: %s\n", e.what());
    }
  }
  run.report(opt.json, elapsed());
  return 0;
}

int run_analyze_recording(const RecordingAnalyzeOptions& opt) {
  auto parse = [](const std::string& text, const char* flag, int64_t fallback) {
    if (text.empty()) return fallback;
    auto t = report::parse_time_arg(text, model::wall_clock_ns());
    if (!t)
      throw std::runtime_error(std::string("analyze: ") + flag + " \"" + text +
                               "\": expected Unix seconds, YYYY-MM-DDTHH:MM[:SS][Z] (UTC) or "
                               "-N{s,m,h,d}");
    return *t;
  };
  const int64_t from = parse(opt.from, "--from", INT64_MIN);
  const int64_t to = parse(opt.to, "--to", INT64_MAX);
  if (from > to) throw std::runtime_error("analyze: --from is after --to");

  AnalysisRun run(opt.scope, !opt.json && !opt.quiet);
  // Older than the full-resolution tier reaches: those days survive only
  // downsampled, and go to the forecaster as history. Alerts and patterns
  // are judged on the full-resolution part, as the live agent saw it.
  record::RecordingReader full(opt.dir, record::Tier::Full);
  auto range = full.time_range();
  if (!range) throw std::runtime_error("analyze: no full-resolution recording in " + opt.dir);
  const int64_t first = std::max(from, range->first_ns);
  const int64_t last = std::min(to, range->last_ns);
  if (first > last) throw std::runtime_error("analyze: no snapshots between --from and --to");
  // The detectors start where the live agent's were at `first`: alerts live
  // then are open from the start (and listed in the history).
  auto warm = warm_up(run.analyzer, opt.dir, first);
  for (const auto& a : warm.last.active_alerts)
    if (a.state == analytics::AlertState::Firing) run.history.push_back(a);
  size_t n = 0;
  full.read(first, last, [&](record::RecordedSnapshot&& s) {
    run.ingest(s.snapshot);
    ++n;
    return true;
  });
  run.finish();
  // Read now: skipped blocks are only found while decoding.
  run.data_warnings = full.warnings();
  for (const auto& w : run.data_warnings) std::fprintf(stderr, "kpulse: warning: %s\n", w.c_str());
  run.profile = profile_findings(opt.dir, first, last, cpu_incidents(run.alerts_seen(), last));
  run.report(opt.json, static_cast<double>(last - first) / 1e9);
  if (!opt.json)
    std::fprintf(stderr, "kpulse: analysed %zu recorded snapshots%s\n", n,
                 run.data_warnings.empty() ? "" : " (damaged data skipped: see the warnings)");
  return 0;
}

}  // namespace kpulse::cli
