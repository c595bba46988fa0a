// The metric catalog (generated from metrics.def): ids, names, units, scopes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace kpulse::model {

// Listener: a TCP listening socket (id "netns/address"). Exited: a task that
// exited during the interval (id its pid), an event rather than a series.
enum class ComponentKind : uint8_t {
  Host,
  Cpu,
  Cgroup,
  Process,
  Disk,
  Interface,
  Agent,
  Listener,
  Exited
};
inline constexpr int kComponentKinds = 9;

// Scope bits: which component kinds carry a metric.
inline constexpr uint32_t kHost = 1u << 0, kCpu = 1u << 1, kCgroup = 1u << 2, kProcess = 1u << 3,
                          kDisk = 1u << 4, kInterface = 1u << 5, kAgent = 1u << 6,
                          kListener = 1u << 7, kExited = 1u << 8;
constexpr uint32_t scope_bit(ComponentKind k) {
  return 1u << static_cast<uint32_t>(k);
}

enum class MetricType : uint8_t { Counter, Gauge, Histogram };
enum class Unit : uint8_t { Seconds, Bytes, Count, Ratio };

enum class MetricId : uint16_t {
#define X(ID, name, type, unit, scopes, otel, attr, help) ID,
#include "model/metrics.def"
#undef X
};

struct MetricInfo {
  MetricId id;
  std::string_view name;
  MetricType type;
  Unit unit;
  uint32_t scopes;
  std::string_view otel_name;       // "" when only kpulse.<name> applies
  std::string_view otel_attribute;  // "key=value" or ""
  std::string_view help;
};

std::span<const MetricInfo> all_metrics();
// Metrics kpulse no longer collects: kept in the catalog so recordings made
// by earlier versions still decode, but not listed (`kpulse metrics`, the
// README, docs/exporters.md) nor shown as columns.
bool retired(MetricId id);
const MetricInfo& info(MetricId id);
std::optional<MetricId> metric_by_name(std::string_view name);
inline constexpr size_t metric_count() {
  return 0
#define X(ID, name, type, unit, scopes, otel, attr, help) +1  // NOLINT(bugprone-macro-parentheses)
#include "model/metrics.def"
#undef X
      ;
}

std::string_view to_string(ComponentKind k);
// A component that stands for one event (an exited task), not for something
// that lives on: each one is kept as it is when snapshots are merged, it is
// not a time series, and exporters send it as a record, never as a series
// (one new series per pid would grow without bound).
constexpr bool is_event_kind(ComponentKind k) {
  return k == ComponentKind::Exited;
}
std::optional<ComponentKind> component_kind_from_string(std::string_view s);
std::string_view to_string(MetricType t);
std::string_view to_string(Unit u);
// UCUM unit string for OTLP ("s", "By", "1").
std::string_view ucum(Unit u);

}  // namespace kpulse::model
