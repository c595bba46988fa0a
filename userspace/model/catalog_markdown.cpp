#include "model/catalog_markdown.h"

#include "model/metric_catalog.h"

namespace kpulse::model {

std::string catalog_markdown() {
  std::string out =
      "| metric | type | unit | components | OpenTelemetry | description |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& m : all_metrics()) {
    std::string scopes;
    for (int k = 0; k < kComponentKinds; ++k) {
      if (!(m.scopes & (1u << k))) continue;
      if (!scopes.empty()) scopes += ", ";
      scopes += to_string(static_cast<ComponentKind>(k));
    }
    std::string otel =
        m.otel_name.empty() ? "kpulse." + std::string(m.name) : std::string(m.otel_name);
    if (!m.otel_attribute.empty()) otel += " {" + std::string(m.otel_attribute) + "}";
    out += "| `" + std::string(m.name) + "` | " + std::string(to_string(m.type)) + " | " +
           std::string(to_string(m.unit)) + " | " + scopes + " | `" + otel + "` | " +
           std::string(m.help) + " |\n";
  }
  return out;
}

}  // namespace kpulse::model
