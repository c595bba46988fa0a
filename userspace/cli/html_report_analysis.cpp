#include "cli/html_report_analysis.h"

#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "analytics/alert_spans.h"
#include "analytics/analyzer.h"
#include "analytics/forecast_capacity.h"
#include "daemon/capabilities.h"
#include "daemon/history_preload.h"
#include "cli/analysis_warmup.h"
#include "dashboard/views.h"
#include "model/format.h"
#include "model/metric_catalog.h"
#include "report/series.h"
#include "tune/journal.h"

namespace kpulse::cli {
namespace {

namespace an = analytics;

report::Finding to_finding(const an::Alert& a) {
  report::Finding f;
  f.start_ns = a.firing_ns ? a.firing_ns : a.start_ns;
  f.end_ns = a.resolved_ns;
  f.severity = std::string(an::to_string(a.severity));
  f.resource = std::string(an::to_string(a.resource));
  f.source = "analytics";
  f.message = a.summary;
  if (!a.cause.empty()) f.message += " (top consumer " + a.cause + ")";
  f.cause = a.cause;
  return f;
}

// Charts for the first forecasts (they come soonest exhaustion first): the
// period's own series as history, then the forecast with its bands.
constexpr size_t kForecastCharts = 6;

// "85%": a share as every reader prints it.
std::string percent(double v) {
  return model::format(v, model::Unit::Ratio);
}

}  // namespace

void add_analysis(report::ReportInput& input,
                  const std::optional<std::filesystem::path>& history_dir) {
  if (input.snapshots.empty()) return;
  an::Analyzer analyzer;
  // Detectors warmed from the recorded past before the period: an incident
  // under way at its start is a finding from the start.
  WarmupResult warm;
  if (history_dir) warm = warm_up(analyzer, *history_dir, input.snapshots.front().time_ns);

  an::AlertSpans alerts;
  alerts.begin(warm.last.active_alerts);
  std::set<std::string> recommended;
  // Every label a component carried during the period, how long and with
  // the evidence from its most confident interval: a job that was CPU-bound
  // for an hour in the middle of the period shows, not only the last window.
  struct Seen {
    an::WorkloadClass cls;
    int64_t first_ns = 0;
    size_t intervals = 0;
    double confidence = 0;
    std::string evidence;
  };
  std::map<std::pair<std::string, int>, Seen> patterns;
  an::AnalysisResult last;
  for (const auto& snap : input.snapshots) {
    last = analyzer.ingest(snap);
    for (const auto& p : last.patterns) {
      auto [it, fresh] = patterns.try_emplace({p.component, static_cast<int>(p.cls)});
      Seen& seen = it->second;
      if (fresh) seen = {p.cls, snap.time_ns, 0, 0, {}};
      ++seen.intervals;
      if (p.confidence > seen.confidence)
        seen.confidence = p.confidence, seen.evidence = p.evidence;
    }
    alerts.add(last.transitions);
    for (const auto& r : last.recommendations) {
      if (!recommended.insert(r.id).second) continue;  // first time it was made
      input.recommendations.push_back(
          {snap.time_ns,
           r.knob.path() + ": " + (r.current_value.empty() ? "?" : r.current_value) + " -> " +
               r.proposed_value + " (confidence " + percent(r.confidence) +
               (r.advice_only ? ", advice only" : "") + ")",
           r.evidence + ". Expected: " + r.expected_gain + ". Why: " + r.rationale +
               (r.advice_only ? ". Advice only: " + r.advice : "")});
    }
  }
  for (const auto& a : alerts.finish(input.snapshots.back().time_ns))
    input.alerts.push_back(to_finding(a));

  for (auto& [key, seen] : patterns) {
    if (seen.cls == an::WorkloadClass::Idle) continue;
    std::string title = key.first + ": " + std::string(an::to_string(seen.cls)) + " for " +
                        std::to_string(seen.intervals) + " of " +
                        std::to_string(input.snapshots.size()) + " intervals (confidence up to " +
                        percent(seen.confidence) + ")";
    input.patterns.push_back({seen.first_ns, std::move(title), seen.evidence});
  }
  for (const auto& f : *analyzer.refresh_forecasts()) {
    input.forecasts.push_back(
        {f.origin_s * 1'000'000'000LL, f.component + " " + f.metric, f.summary});
    if (input.forecast_charts.size() < kForecastCharts)
      if (auto c = dashboard::forecast_chart(f, input.snapshots))
        input.forecast_charts.push_back(std::move(*c));
  }
  if (input.forecasts.empty())
    input.forecasts.push_back({0, "No forecast", analyzer.forecaster().waiting_reason()});
}

void add_tuning_history(report::ReportInput& input, const std::filesystem::path& state_dir) {
  const daemon::UserFileAccess as_user;  // --state-dir is the user's
  std::error_code ec;
  if (input.snapshots.empty() || !std::filesystem::exists(state_dir / "tune-journal.jsonl", ec))
    return;
  const int64_t from = input.snapshots.front().time_ns, to = input.snapshots.back().time_ns;
  std::vector<tune::Change> history;
  try {
    history = tune::Journal(state_dir.string()).history();
  } catch (const std::exception& e) {
    // The report stands without it; say why it is missing.
    std::fprintf(stderr, "kpulse report: warning: tuning history left out: %s\n", e.what());
    return;
  }
  for (const auto& c : history) {
    if (c.time_ns < from || c.time_ns > to) continue;
    std::string knob = c.knob.key();
    if (!c.netns_name.empty()) knob += " [netns " + c.netns_name + "]";
    input.tuning.push_back({c.time_ns,
                            c.id + " " + std::string(tune::to_string(c.state)) + ": " + knob,
                            c.original + " -> " + c.written + " (" + c.scenario + "): " + c.why +
                                ". Undo: " + c.undo_command()});
  }
}

}  // namespace kpulse::cli
