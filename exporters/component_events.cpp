#include "exporters/component_events.h"

#include <charconv>
#include <cmath>

#include "exporters/naming.h"

namespace kpulse::exporters {
namespace {

// Shortest text that reads back as the same double ("0.29", "4096").
std::string shortest(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

std::vector<ExportEvent> component_events(const model::Snapshot& snapshot) {
  std::vector<ExportEvent> out;
  for (const auto& c : snapshot.components) {
    if (!model::is_event_kind(c.kind)) continue;
    ExportEvent e;
    e.time_ns = snapshot.time_ns;
    e.severity = EventSeverity::Info;
    const std::string kind(model::to_string(c.kind));
    e.name = "kpulse." + kind;
    e.body = kind + " " + c.name + " [" + c.id + "]";
    if (!c.parent.empty()) e.body += " in " + c.parent;
    for (auto& a : component_attributes(c))
      e.attributes.emplace_back(std::string(a.otlp_key), std::move(a.value));
    for (const auto& s : c.samples)
      if (!std::isnan(s.value))
        e.attributes.emplace_back("kpulse." + std::string(model::info(s.id).name),
                                  shortest(s.value));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace kpulse::exporters
