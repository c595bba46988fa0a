#include "model/metric_catalog.h"

#include <array>

namespace kpulse::model {
namespace {

constexpr std::array<MetricInfo, metric_count()> kCatalog{{
#define X(ID, name, type, unit, scopes, otel, attr, help) \
  {MetricId::ID, name, MetricType::type, Unit::unit, scopes, otel, attr, help},
#include "model/metrics.def"
#undef X
}};

constexpr std::array<std::string_view, kComponentKinds> kKindNames{
    "host", "cpu", "cgroup", "process", "disk", "interface", "agent", "listener", "exited"};

}  // namespace

std::span<const MetricInfo> all_metrics() {
  return kCatalog;
}

bool retired(MetricId id) {
  // The sched group once counted on-CPU time and context switches per task at
  // every switch. Since it reads the kernel's own stamps (issue 22) the kernel's
  // counters stand in: cgroup.cpu.usage, process.cpu_time, host.context_switches.
  return id == MetricId::SchedOncpuTime || id == MetricId::SchedVoluntarySwitches ||
         id == MetricId::SchedInvoluntarySwitches;
}

const MetricInfo& info(MetricId id) {
  return kCatalog[static_cast<size_t>(id)];
}

std::optional<MetricId> metric_by_name(std::string_view name) {
  for (const auto& m : kCatalog)
    if (m.name == name) return m.id;
  return std::nullopt;
}

std::string_view to_string(ComponentKind k) {
  return kKindNames[static_cast<size_t>(k)];
}

std::optional<ComponentKind> component_kind_from_string(std::string_view s) {
  for (size_t i = 0; i < kKindNames.size(); ++i)
    if (kKindNames[i] == s) return static_cast<ComponentKind>(i);
  return std::nullopt;
}

std::string_view to_string(MetricType t) {
  switch (t) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Histogram:
      return "histogram";
  }
  return "?";
}

std::string_view to_string(Unit u) {
  switch (u) {
    case Unit::Seconds:
      return "seconds";
    case Unit::Bytes:
      return "bytes";
    case Unit::Count:
      return "count";
    case Unit::Ratio:
      return "ratio";
  }
  return "?";
}

std::string_view ucum(Unit u) {
  switch (u) {
    case Unit::Seconds:
      return "s";
    case Unit::Bytes:
      return "By";
    case Unit::Count:
    case Unit::Ratio:
      return "1";
  }
  return "1";
}

}  // namespace kpulse::model
