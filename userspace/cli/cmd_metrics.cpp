// `kpulse metrics`: the metric catalog (the reference in README and docs/ is
// generated from this output, so it never drifts from the code).
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "model/metric_catalog.h"

namespace kpulse::cli {
namespace {

std::string scopes_text(uint32_t scopes) {
  std::string out;
  for (int k = 0; k < model::kComponentKinds; ++k) {
    if (!(scopes & (1u << k))) continue;
    if (!out.empty()) out += ", ";
    out += model::to_string(static_cast<model::ComponentKind>(k));
  }
  return out;
}

int print_catalog(bool markdown) {
  if (markdown) {
    std::printf("| metric | type | unit | components | OpenTelemetry | description |\n");
    std::printf("|---|---|---|---|---|---|\n");
  }
  for (const auto& m : model::all_metrics()) {
    std::string otel =
        m.otel_name.empty() ? "kpulse." + std::string(m.name) : std::string(m.otel_name);
    if (!m.otel_attribute.empty()) otel += " {" + std::string(m.otel_attribute) + "}";
    if (markdown)
      std::printf("| `%.*s` | %.*s | %.*s | %s | `%s` | %.*s |\n", int(m.name.size()),
                  m.name.data(), int(to_string(m.type).size()), to_string(m.type).data(),
                  int(to_string(m.unit).size()), to_string(m.unit).data(),
                  scopes_text(m.scopes).c_str(), otel.c_str(), int(m.help.size()), m.help.data());
    else
      std::printf("%-30.*s %-9.*s %-7.*s %.*s\n", int(m.name.size()), m.name.data(),
                  int(to_string(m.type).size()), to_string(m.type).data(),
                  int(to_string(m.unit).size()), to_string(m.unit).data(), int(m.help.size()),
                  m.help.data());
  }
  return 0;
}

}  // namespace

void register_metrics(CLI::App& root, Registry& reg) {
  auto* app =
      root.add_subcommand("metrics", "List every metric kpulse collects, with unit and meaning");
  auto markdown = std::make_shared<bool>(false);
  app->add_flag("--markdown", *markdown, "Print a Markdown table (used to generate the docs)");
  reg.push_back({app, [markdown] { return print_catalog(*markdown); }});
}

}  // namespace kpulse::cli
