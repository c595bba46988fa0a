// Events exported as OTLP log records: alerts, bottleneck findings and tuning
// actions. Analytics and the tuner produce them; the exporters only carry them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kpulse::exporters {

enum class EventSeverity : uint8_t { Debug, Info, Warn, Error, Fatal };

struct ExportEvent {
  int64_t time_ns = 0;  // wall clock (Unix epoch) when the event was observed
  EventSeverity severity = EventSeverity::Info;
  // What kind of event: "kpulse.alert", "kpulse.bottleneck", "kpulse.tuning".
  std::string name;
  std::string body;  // one human-readable line
  std::vector<std::pair<std::string, std::string>> attributes;
};

}  // namespace kpulse::exporters
