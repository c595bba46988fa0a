#include "analytics/analysis_json.h"

#include <cmath>

namespace kpulse::analytics {

using nlohmann::json;
namespace an = kpulse::analytics;

namespace {

// JSON has no NaN: absent readings become null.
json num(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
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
                   {"unit", model::unit_label(e.unit)}});
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

// null when the gain is words only.
json predicted_json(const std::optional<an::PredictedGain>& p) {
  if (!p) return nullptr;
  return {{"signal", p->signal},
          {"component", p->component},
          {"now", num(p->now)},
          {"expected", num(p->expected)},
          {"at_most", p->at_most}};
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
          {"predicted", predicted_json(r.predicted)},
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
                   {"unit", model::unit_label(s.unit)}});
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
          {"low_confidence", f.forecast.low_confidence},
          {"confidence_note", f.forecast.note},
          {"summary", f.summary},
          {"point", values(f.forecast.point)},
          {"lo80", values(f.forecast.lo80)},
          {"hi80", values(f.forecast.hi80)},
          {"lo95", values(f.forecast.lo95)},
          {"hi95", values(f.forecast.hi95)}};
}

}  // namespace kpulse::analytics
