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

// The family a metric is written in. A catalog metric with a convention
// attribute joins the family named after its convention name (without
// "system."), the attribute becoming a label named after the key's last part:
// cpu.time.user -> kpulse_cpu_time_seconds_total{mode="user"}, as
// node_cpu_seconds_total. Others: "kpulse_" + name. Characters outside
// [a-zA-Z0-9_] become '_', then a unit suffix (_seconds, _bytes, _ratio)
// unless already there, and _total for counters.
std::string prometheus_name(const model::MetricInfo& m);

struct PrometheusFamily {
  std::string name;
  std::string help;
  model::MetricType type = model::MetricType::Gauge;
  std::string label_key;  // "mode" for the cpu.mode attribute; "" for none
  std::vector<model::MetricId> members;
  // Members exist on more than one component kind (host and per CPU, ...):
  // every series then carries level="host"|"cpu"|..., so a sum() over the
  // family is only taken at one level.
  bool leveled = false;
};
// In catalog order of each family's first member.
const std::vector<PrometheusFamily>& prometheus_families();
size_t prometheus_family_index(model::MetricId id);
// The member's label value in its family ("user" for cpu.time.user); "" when none.
const std::string& prometheus_member_label(model::MetricId id);
inline constexpr std::string_view kPrometheusLevelKey = "level";

// Container identity in a cgroup path, from the runtimes' naming
// (docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>.scope,
// libpod-<id>.scope, /docker/<id>, /kubepods/.../<id>) and a Kubernetes pod
// uid from a pod<uid> segment (underscores of the systemd driver turned back
// into dashes). Empty when the path has none.
struct ContainerIdentity {
  std::string container_id;
  std::string pod_uid;
};
ContainerIdentity container_identity(std::string_view cgroup_path);

// Label value escaping of the text exposition format: \ " and newline.
void append_label_value(std::string& out, std::string_view value);
// HELP text escaping: \ and newline.
void append_help_text(std::string& out, std::string_view text);

// Positions of the components in the exporters' stable order: by kind, then
// id (the Prometheus page and the OTLP points list them alike).
std::vector<size_t> component_order(const std::vector<model::Component>& comps);

// ---- Component identity ----------------------------------------------------------

// One identifying attribute of a component. OTLP keys follow the semantic
// conventions; Prometheus keys are short label names.
struct ComponentAttribute {
  std::string_view otlp_key;
  std::string_view prometheus_key;
  std::string value;
  std::optional<int64_t> int_value;  // set when OTLP carries it as an int
};
// Host and agent components have none; the others are named by their id,
// container cgroups also by container.id and k8s.pod.uid, process series
// summed per command name (id "comm:NAME") by their comm only, listeners by
// network namespace, address and port, exited tasks by pid, comm and cgroup.
std::vector<ComponentAttribute> component_attributes(const model::Component& c);

}  // namespace kpulse::exporters
