#include "cli/analysis_output.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "model/markup.h"

namespace kpulse::cli {

using nlohmann::json;
namespace an = kpulse::analytics;
using analytics::to_json;

namespace {

// Summaries and evidence name processes and cgroups, which any user names:
// text for a terminal shows their control characters as '?'.
std::string shown(std::string text) {
  return model::printable(std::move(text));
}

std::string clock_time(int64_t ns) {
  if (ns == 0) return "-";
  std::time_t t = ns / 1000000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

}  // namespace

json report_json(const an::AnalysisResult& last, const std::vector<an::Alert>& history,
                 double duration_s) {
  json j;
  j["duration_s"] = duration_s;
  j["time_ns"] = last.time_ns;
  auto list = [](const auto& v) {
    json arr = json::array();
    for (const auto& x : v) arr.push_back(to_json(x));
    return arr;
  };
  j["bottlenecks"] = list(last.bottlenecks);
  j["alerts"] = list(last.active_alerts);
  j["alert_history"] = list(history);
  j["patterns"] = list(last.patterns);
  j["recommendations"] = list(last.recommendations);
  j["forecasts"] = list(last.forecasts());
  j["use"] = list(last.use);
  return j;
}

void print_transition(std::ostream& out, const an::Alert& a) {
  int64_t at = a.state == an::AlertState::Resolved ? a.resolved_ns
               : a.state == an::AlertState::Firing ? a.firing_ns
                                                   : a.start_ns;
  out << clock_time(at) << "  " << an::to_string(a.state) << "  [" << an::to_string(a.severity)
      << "] " << shown(a.summary) << "  (id " << shown(a.id) << ")\n";
}

void print_report(std::ostream& out, const an::AnalysisResult& last,
                  const std::vector<an::Alert>& history, double duration_s,
                  const std::string& forecast_status) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f s", duration_s);
  out << "kpulse analyze: " << buf << " observed\n\n";

  out << "Bottlenecks (last interval)\n";
  if (last.bottlenecks.empty()) out << "  none\n";
  for (const auto& b : last.bottlenecks)
    out << "  [" << an::to_string(b.severity) << "] " << shown(an::summarize(b))
        << (b.anomalous   ? ""
            : b.sustained ? "  (over its limit, usual for this component)"
                          : "  (usual for this component)")
        << "\n";

  out << "\nAlerts\n";
  size_t fired = 0;
  for (const auto& a : history) fired += a.state == an::AlertState::Firing;
  out << "  fired during the run: " << fired << "\n";
  for (const auto& a : last.active_alerts)
    out << "  " << an::to_string(a.state) << " since " << clock_time(a.start_ns) << "  ["
        << an::to_string(a.severity) << "] "
        << (a.basis == an::AlertBasis::Limit ? "(over its limit) " : "") << shown(a.summary)
        << "\n";

  out << "\nWorkload patterns\n";
  for (const auto& p : last.patterns) {
    if (p.cls == an::WorkloadClass::Idle) continue;
    std::snprintf(buf, sizeof buf, "%-14s %3.0f%%  ", std::string(an::to_string(p.cls)).c_str(),
                  p.confidence * 100);
    out << "  " << buf << shown(p.component) << "  " << shown(p.evidence) << "\n";
  }
  size_t idle = 0;
  for (const auto& p : last.patterns) idle += p.cls == an::WorkloadClass::Idle;
  if (last.patterns.empty())
    out << "  none yet: a component is labelled once it has " << an::WorkloadConfig{}.min_samples
        << " intervals of history\n";
  else if (idle > 0)
    out << "  (" << idle << " idle components not listed)\n";

  out << "\nForecasts\n";
  if (last.forecasts().empty()) out << "  none yet: " << forecast_status << "\n";
  for (const auto& f : last.forecasts()) out << "  " << shown(f.summary) << "\n";

  out << "\nRecommendations (made during the run)\n";
  if (last.recommendations.empty()) out << "  none\n";
  for (const auto& r : last.recommendations) {
    std::snprintf(buf, sizeof buf, "%.0f%%", r.confidence * 100);
    out << "  " << shown(r.id) << "  (confidence " << buf << (r.advice_only ? ", advice only" : "")
        << ")\n"
        << "    set " << shown(r.knob.path()) << ": "
        << (r.current_value.empty() ? "(default)" : r.current_value) << " -> " << r.proposed_value
        << "\n"
        << "    evidence: " << shown(r.evidence) << "\n"
        << "    why: " << shown(r.rationale) << "\n"
        << "    expected: " << r.expected_gain << "\n";
    if (r.advice_only) out << "    advice only: " << shown(r.advice) << "\n";
  }
}

}  // namespace kpulse::cli
