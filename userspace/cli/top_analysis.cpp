#include "cli/top_analysis.h"

#include <chrono>
#include <memory>
#include <string>

#include "analytics/analyzer.h"
#include "analytics/forecast_capacity.h"
#include "daemon/capabilities.h"
#include "cli/analysis_warmup.h"
#include "daemon/history_preload.h"
#include "model/format.h"
#include "tune/journal.h"

namespace kpulse::cli {
namespace {

namespace an = analytics;

tui::ForecastItem to_item(const an::MetricForecast& f) {
  tui::ForecastItem item;
  item.component = f.component;
  item.metric = f.metric;
  item.now = an::format_forecast_value(f, f.last_value);
  item.peak = an::format_forecast_value(f, f.peak) + " at " + an::format_weekday_time(f.peak_at_s);
  if (f.limit && f.last_value >= *f.limit) {
    item.exhausts = true;
    item.runs_out = f.limit_name + " already";
  } else if (f.limit && f.exhaustion.expected_s) {
    item.exhausts = true;
    item.runs_out = f.limit_name + " in " + an::format_duration(*f.exhaustion.expected_s);
  } else if (f.limit && f.exhaustion.earliest_s) {
    item.runs_out = "possible in " + an::format_duration(*f.exhaustion.earliest_s);
  }
  item.horizon = an::format_duration(f.horizon_s());
  item.summary = f.summary;
  item.point = f.forecast.point;
  if (!f.forecast.point.empty()) {
    auto v = [&](const std::vector<double>& s) { return an::format_forecast_value(f, s.back()); };
    item.band = "in " + item.horizon + ": " + v(f.forecast.point) + " (80% " + v(f.forecast.lo80) +
                " to " + v(f.forecast.hi80) + ", 95% " + v(f.forecast.lo95) + " to " +
                v(f.forecast.hi95) + ")";
  }
  return item;
}

// The knob's owner, as the UI keys components: a cgroup knob belongs to its
// cgroup, a sysctl or block knob to the host.
std::string knob_component(const an::Knob& k) {
  if (k.kind == an::KnobKind::Cgroup) return "cgroup:" + k.cgroup;
  if (k.kind == an::KnobKind::Block) return "disk:" + k.device;
  return "host:host";
}

// Alerts, patterns and recommendations of this interval (forecasts are
// converted once per forecast round, in TopAnalysisState).
tui::AnalysisView to_view(const an::AnalysisResult& r) {
  tui::AnalysisView v;
  for (const auto& a : r.active_alerts) {
    tui::AlertItem item;
    item.severity = std::string(an::to_string(a.severity));
    item.component = a.component;
    // Pending alerts are shown too, marked, so a building problem is visible
    // an interval early.
    // Chronic saturation (over its limit, usual for the component) is marked
    // so it reads apart from a change.
    item.summary = std::string(a.state == an::AlertState::Pending ? "(pending) " : "") +
                   (a.basis == an::AlertBasis::Limit ? "(over its limit) " : "") + a.summary;
    item.since_ns = a.start_ns;
    v.alerts.push_back(std::move(item));
  }
  auto pct = [](double share) { return model::format(share, model::Unit::Ratio); };
  for (const auto& p : r.patterns)
    v.patterns.push_back({p.component, std::string(an::to_string(p.cls)) + " (" +
                                           pct(p.confidence) + "): " + p.evidence});
  for (const auto& rec : r.recommendations) {
    v.recommendations.push_back(
        {knob_component(rec.knob),
         rec.knob.name + " " + (rec.current_value.empty() ? "?" : rec.current_value) + " -> " +
             rec.proposed_value + " (" + pct(rec.confidence) +
             (rec.advice_only ? ", advice only" : "") + "): " + rec.expected_gain});
  }
  return v;
}

// The journal's changes in force, for the alerts view. Looking creates
// nothing: no state directory or journal, no changes.
std::vector<tui::ComponentNote> tuning_in_force(const std::filesystem::path& state_dir) {
  std::vector<tui::ComponentNote> out;
  // --state-dir is the user's: read with the user's rights (a setcap'd
  // kpulse must not quote a file the user may not read in a parse warning).
  const daemon::UserFileAccess as_user;
  std::error_code ec;
  if (!std::filesystem::exists(state_dir / "tune-journal.jsonl", ec)) return out;
  try {
    tune::Journal journal(state_dir.string());
    for (const auto& c : journal.load()) {
      if (!c.in_force()) continue;
      std::string knob = c.knob.key();
      if (!c.netns_name.empty()) knob += " [netns " + c.netns_name + "]";
      out.push_back({std::move(knob), std::string(tune::to_string(c.state)) + " " + c.original +
                                          " -> " + c.written + "  " + c.scenario +
                                          "  (undo: " + c.undo_command() + ")"});
    }
  } catch (const std::exception&) {
    // An unreadable journal is `kpulse tune --status`'s to report.
  }
  return out;
}

struct TopAnalysisState {
  TopAnalysisOptions options;
  std::unique_ptr<an::Analyzer> analyzer;
  int64_t last_ns = INT64_MIN;
  std::vector<tui::ComponentNote> tuning;
  std::chrono::steady_clock::time_point tuning_read{};
  // A forecast round changes once a minute: its items are formatted then,
  // not on every snapshot.
  std::shared_ptr<const std::vector<an::MetricForecast>> round;
  std::vector<tui::ForecastItem> forecasts;

  void refresh_forecasts(const an::AnalysisResult& r) {
    if (r.forecast_round == round && round) return;
    round = r.forecast_round;
    forecasts.clear();
    for (const auto& f : r.forecasts()) forecasts.push_back(to_item(f));
  }

  void refresh_tuning() {
    if (!options.state_dir) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - tuning_read < std::chrono::seconds(5)) return;
    tuning_read = now;
    tuning = tuning_in_force(*options.state_dir);
  }

  void restart(int64_t until_ns) {
    analyzer = std::make_unique<an::Analyzer>();
    round.reset();
    if (!options.history_dir) return;
    if (options.warmup_s > 0)
      warm_up(*analyzer, *options.history_dir, until_ns, options.warmup_s);
    else
      daemon::preload_history(*analyzer, *options.history_dir, until_ns);
  }
};

}  // namespace

std::function<tui::AnalysisView(const model::Snapshot&)> make_top_analysis(
    const TopAnalysisOptions& options) {
  // The TUI copies the callback; every copy must feed the same detectors.
  auto state = std::make_shared<TopAnalysisState>();
  state->options = options;
  return [state](const model::Snapshot& snap) {
    // A jump forward past what the warm-up covers skips intervals the
    // detectors never saw; they restart warm from the new place.
    constexpr int64_t kJumpNs = 60'000'000'000LL;
    if (!state->analyzer || snap.time_ns < state->last_ns ||
        (state->options.warmup_s > 0 && snap.time_ns - state->last_ns > kJumpNs))
      state->restart(snap.time_ns);
    state->last_ns = snap.time_ns;
    const an::AnalysisResult r = state->analyzer->ingest(snap);
    tui::AnalysisView view = to_view(r);
    state->refresh_forecasts(r);
    view.forecasts = state->forecasts;
    if (view.forecasts.empty())
      view.forecast_status = state->analyzer->forecaster().waiting_reason();
    state->refresh_tuning();
    view.tuning = state->tuning;
    return view;
  };
}

}  // namespace kpulse::cli
