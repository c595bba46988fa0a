#include "exporters/export_names.h"

#include <initializer_list>
#include <string_view>

#include "exporters/naming.h"
#include "model/listeners_exits.h"

namespace kpulse::exporters {
namespace {

// Label/attribute keys each component kind contributes, from a representative
// component so this table cannot disagree with component_attributes().
std::string keys_for_scopes(uint32_t scopes, bool otlp) {
  std::string out;
  for (int k = 0; k < model::kComponentKinds; ++k) {
    if (!(scopes & (1u << k))) continue;
    model::Component c;
    c.kind = static_cast<model::ComponentKind>(k);
    c.id = c.kind == model::ComponentKind::Cpu        ? "cpu0"
           : c.kind == model::ComponentKind::Listener ? model::listener_id(1, "127.0.0.1:80")
                                                      : "1";
    std::string keys;
    for (const auto& a : component_attributes(c)) {
      if (!keys.empty()) keys += "+";
      keys += otlp ? a.otlp_key : a.prometheus_key;
    }
    if (keys.empty()) keys = "—";
    if (!out.empty()) out += ", ";
    out += std::string(model::to_string(c.kind)) + ": " + keys;
  }
  return out;
}

// Metrics only event components carry (exited.*) travel as log-record
// attributes, never as series (component_events.h).
bool event_only(const model::MetricInfo& m) {
  for (int k = 0; k < model::kComponentKinds; ++k)
    if ((m.scopes & (1u << k)) && !model::is_event_kind(static_cast<model::ComponentKind>(k)))
      return false;
  return m.scopes != 0;
}

std::string scope_names(uint32_t scopes) {
  std::string out;
  for (int k = 0; k < model::kComponentKinds; ++k)
    if (scopes & (1u << k)) {
      if (!out.empty()) out += "/";
      out += model::to_string(static_cast<model::ComponentKind>(k));
    }
  return out;
}

std::string_view otlp_instrument(model::MetricType t) {
  switch (t) {
    case model::MetricType::Counter:
      return "Sum (monotonic)";
    case model::MetricType::Gauge:
      return "Gauge";
    case model::MetricType::Histogram:
      return "ExponentialHistogram (ns; explicit-bounds Histogram in s as an option)";
  }
  return "";
}

}  // namespace

std::string exported_metrics_markdown() {
  std::string out =
      "| kpulse metric | OTLP name | OTLP unit / instrument | OTLP attributes by component | "
      "Prometheus name | Prometheus labels by component |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& m : model::all_metrics()) {
    if (model::retired(m.id)) continue;
    if (event_only(m)) {
      out += "| `" + std::string(m.name) + "` | attribute `kpulse." + std::string(m.name) +
             "` of the `kpulse." + scope_names(m.scopes) + "` log record | `" +
             std::string(model::ucum(m.unit)) + "` | " + keys_for_scopes(m.scopes, true) +
             " | (not exported: an event, see below) | |\n";
      continue;
    }
    std::string otlp = "`" + otlp_name(m) + "`";
    if (!m.otel_attribute.empty()) otlp += " `{" + std::string(m.otel_attribute) + "}`";
    const PrometheusFamily& fam = prometheus_families()[prometheus_family_index(m.id)];
    std::string prom = "`" + prometheus_name(m) + "`";
    if (!fam.label_key.empty())
      prom += " `{" + fam.label_key + "=" + prometheus_member_label(m.id) + "}`";
    std::string otlp_keys = keys_for_scopes(m.scopes, true);
    std::string prom_keys = keys_for_scopes(m.scopes, false);
    if (fam.leveled) prom_keys += " (+" + std::string(kPrometheusLevelKey) + ")";
    if (m.id == model::MetricId::NetDrops) {
      otlp_keys += " (+" + std::string(kOtlpLabelKey) + ")";
      prom_keys += " (+" + std::string(kPrometheusLabelKey) + ")";
    }
    for (std::string_view cell : std::initializer_list<std::string_view>{
             "| `", m.name, "` | ", otlp, " | `", model::ucum(m.unit), "` ",
             otlp_instrument(m.type), " | ", otlp_keys, " | ", prom, " ", model::to_string(m.type),
             " | ", prom_keys, " |\n"})
      out += cell;
  }
  return out;
}

}  // namespace kpulse::exporters
