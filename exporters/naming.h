// How catalog metrics and snapshot components are named on the wire. Every
// exported name is derived here from the catalog (model/metrics.def), so the
// OTLP and Prometheus views never drift from what kpulse collects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/metric_catalog.h"
#include "model/snapshot.h"

namespace kpulse::exporters {

// "key=value" from the catalog's otel_attribute column.
struct CatalogAttribute {
  std::string key;
  std::string value;
};
std::optional<CatalogAttribute> parse_catalog_attribute(std::string_view text);

// ---- OTLP ---------------------------------------------------------------------

// Semantic-convention name where the catalog has one, else "kpulse." + name.
std::string otlp_name(const model::MetricInfo& m);

// Catalog metrics that share one OTLP name (the eight cpu.time.* metrics are
// all system.cpu.time, told apart by cpu.mode) become one OTLP Metric.
struct OtlpFamily {
  std::string name;
  std::string unit;         // UCUM
  std::string description;  // help of the first member
  model::MetricType type = model::MetricType::Gauge;
  std::vector<model::MetricId> members;
};
// In catalog order of each family's first member.
const std::vector<OtlpFamily>& otlp_families();
// Position of the metric's family in otlp_families().
size_t otlp_family_index(model::MetricId id);

// Attribute key for LabeledSample::label (e.g. the net.drops reason).
inline constexpr std::string_view kOtlpLabelKey = "kpulse.reason";
inline constexpr std::string_view kPrometheusLabelKey = "reason";

// ---- Prometheus ----------------------------------------------------------------

// "kpulse_" + name with every character outside [a-zA-Z0-9_] turned into '_',
// a unit suffix (_seconds, _bytes, _ratio) unless already there, and _total
// for counters: cpu.time.user -> kpulse_cpu_time_user_seconds_total.
std::string prometheus_name(const model::MetricInfo& m);

// Label value escaping of the text exposition format: \ " and newline.
void append_label_value(std::string& out, std::string_view value);
// HELP text escaping: \ and newline.
void append_help_text(std::string& out, std::string_view text);

// ---- Component identity ----------------------------------------------------------

// One identifying attribute of a component. OTLP keys follow the semantic
// conventions; Prometheus keys are short label names.
struct ComponentAttribute {
  std::string_view otlp_key;
  std::string_view prometheus_key;
  std::string value;
  std::optional<int64_t> int_value;  // set when OTLP carries it as an int
};
// Host and agent components have none; the others are named by their id.
std::vector<ComponentAttribute> component_attributes(const model::Component& c);

}  // namespace kpulse::exporters
