#include "cli/analysis_output.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace kpulse::cli {

using nlohmann::json;
namespace an = kpulse::analytics;

namespace {

// JSON has no NaN: absent readings become null.
json num(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
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

json evidence_json(const std::vector<an::Evidence>& ev) {
  json arr = json::array();
  for (const auto& e : ev)
    arr.push_back({{"component", e.component},
                   {"signal", e.signal},
                   {"value", num(e.value)},
                   {"baseline", num(e.baseline)},
                   {"limit", num(e.limit)},
                   {"score", num(e.score)},
                   {"unit", e.unit}});
  return arr;
}

}  // namespace

json to_json(const an::Alert& a) {
  return {{"id", a.id},
          {"state", an::to_string(a.state)},
          {"basis", an::to_string(a.basis)},
          {"rule", a.rule},
          {"resource", an::to_string(a.resource)},
          {"component", a.component},
          {"cause", a.cause},
          {"cause_processes", a.cause_processes},
          {"victims", a.victims},
          {"severity", an::to_string(a.severity)},
          {"summary", a.summary},
          {"start_ns", a.start_ns},
          {"firing_ns", a.firing_ns},
          {"resolved_ns", a.resolved_ns},
          {"peak_saturation", num(a.peak_saturation)},
          {"evidence", evidence_json(a.evidence)}};
}

json to_json(const an::Bottleneck& b) {
  return {{"id", b.id},
          {"rule", b.rule},
          {"resource", an::to_string(b.resource)},
          {"component", b.component},
          {"victims", b.victims},
          {"cause", b.cause},
          {"cause_processes", b.cause_processes},
          {"cause_share", num(b.cause_share)},
          {"severity", an::to_string(b.severity)},
          {"saturation", num(b.saturation)},
          {"score", num(b.score)},
          {"anomalous", b.anomalous},
          {"sustained", b.sustained},
          {"evidence", evidence_json(b.evidence)}};
}

json to_json(const an::WorkloadPattern& p) {
  json j = {{"component", p.component},
            {"class", an::to_string(p.cls)},
            {"confidence", num(p.confidence)},
            {"evidence", p.evidence}};
  if (p.period_s > 0) j["period_s"] = p.period_s;
  return j;
}

json to_json(const an::Recommendation& r) {
  return {{"id", r.id},
          {"scenario", r.scenario},
          {"knob",
           {{"kind", an::to_string(r.knob.kind)},
            {"name", r.knob.name},
            {"cgroup", r.knob.cgroup},
            {"netns", r.knob.netns},
            {"device", r.knob.device},
            {"path", r.knob.path()}}},
          {"current_value", r.current_value},
          {"proposed_value", r.proposed_value},
          {"evidence", r.evidence},
          {"expected_gain", r.expected_gain},
          {"confidence", num(r.confidence)},
          {"rationale", r.rationale},
          {"advice_only", r.advice_only},
          {"advice", r.advice},
          {"bottleneck_id", r.bottleneck_id}};
}

json to_json(const an::UseRow& row) {
  json sig = json::array();
  for (const auto& s : row.signals)
    sig.push_back({{"name", s.name},
                   {"role", an::to_string(s.role)},
                   {"value", num(s.value)},
                   {"limit", num(s.limit)},
                   {"unit", s.unit}});
  return {{"component", row.key},
          {"resource", an::to_string(row.resource)},
          {"utilization", num(row.utilization)},
          {"saturation", num(row.saturation)},
          {"errors", num(row.errors)},
          {"signals", sig}};
}

json to_json(const an::MetricForecast& f) {
  auto values = [](const std::vector<double>& v) {
    json arr = json::array();
    for (double x : v) arr.push_back(num(x));
    return arr;
  };
  auto seconds = [](const std::optional<int64_t>& s) { return s ? json(*s) : json(nullptr); };
  return {{"component", f.component},
          {"metric", f.metric},
          {"origin_s", f.origin_s},
          {"step_s", f.step_s},
          {"horizon_s", f.horizon_s()},
          {"history_steps", f.history_steps},
          {"last_value", num(f.last_value)},
          {"peak", num(f.peak)},
          {"peak_at_s", f.peak_at_s},
          {"limit", f.limit ? num(*f.limit) : json(nullptr)},
          {"limit_name", f.limit_name},
          {"exhaustion_expected_s", seconds(f.exhaustion.expected_s)},
          {"exhaustion_earliest_s", seconds(f.exhaustion.earliest_s)},
          {"periods_steps", f.forecast.periods},
          {"method", f.forecast.method},
          {"summary", f.summary},
          {"point", values(f.forecast.point)},
          {"lo80", values(f.forecast.lo80)},
          {"hi80", values(f.forecast.hi80)},
          {"lo95", values(f.forecast.lo95)},
          {"hi95", values(f.forecast.hi95)}};
}

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
      << "] " << a.summary << "  (id " << a.id << ")\n";
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
    out << "  [" << an::to_string(b.severity) << "] " << an::summarize(b)
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
        << (a.basis == an::AlertBasis::Limit ? "(over its limit) " : "") << a.summary << "\n";

  out << "\nWorkload patterns\n";
  for (const auto& p : last.patterns) {
    if (p.cls == an::WorkloadClass::Idle) continue;
    std::snprintf(buf, sizeof buf, "%-14s %3.0f%%  ", std::string(an::to_string(p.cls)).c_str(),
                  p.confidence * 100);
    out << "  " << buf << p.component << "  " << p.evidence << "\n";
  }
  size_t idle = 0;
  for (const auto& p : last.patterns) idle += p.cls == an::WorkloadClass::Idle;
  out << "  (" << idle << " idle components not listed)\n";

  out << "\nForecasts\n";
  if (last.forecasts().empty()) out << "  none yet: " << forecast_status << "\n";
  for (const auto& f : last.forecasts()) out << "  " << f.summary << "\n";

  out << "\nRecommendations\n";
  if (last.recommendations.empty()) out << "  none\n";
  for (const auto& r : last.recommendations) {
    std::snprintf(buf, sizeof buf, "%.0f%%", r.confidence * 100);
    out << "  " << r.id << "  (confidence " << buf << (r.advice_only ? ", advice only" : "")
        << ")\n"
        << "    set " << r.knob.path() << ": "
        << (r.current_value.empty() ? "(default)" : r.current_value) << " -> " << r.proposed_value
        << "\n"
        << "    evidence: " << r.evidence << "\n"
        << "    why: " << r.rationale << "\n"
        << "    expected: " << r.expected_gain << "\n";
    if (r.advice_only) out << "    advice only: " << r.advice << "\n";
  }
}

}  // namespace kpulse::cli
