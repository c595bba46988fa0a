#include "model/catalog_markdown.h"

#include <initializer_list>
#include <string_view>

#include "model/metric_catalog.h"

namespace kpulse::model {

std::string catalog_markdown() {
  std::string out =
      "| metric | type | unit | components | OpenTelemetry | description |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& m : all_metrics()) {
    if (retired(m.id)) continue;
    std::string scopes;
    for (int k = 0; k < kComponentKinds; ++k) {
      if (!(m.scopes & (1u << k))) continue;
      if (!scopes.empty()) scopes += ", ";
      scopes += to_string(static_cast<ComponentKind>(k));
    }
    std::string otel =
        m.otel_name.empty() ? "kpulse." + std::string(m.name) : std::string(m.otel_name);
    if (!m.otel_attribute.empty()) otel += " {" + std::string(m.otel_attribute) + "}";
    for (std::string_view cell : std::initializer_list<std::string_view>{
             "| `", m.name, "` | ", to_string(m.type), " | ", to_string(m.unit), " | ", scopes,
             " | `", otel, "` | ", m.help, " |\n"})
      out += cell;
  }
  return out;
}

}  // namespace kpulse::model
