// `kpulse metrics`: the metric catalog (the reference in README and docs/ is
// generated from this output, so it never drifts from the code).
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "model/catalog_markdown.h"
#include "model/metric_catalog.h"

namespace kpulse::cli {
namespace {

int print_catalog(bool markdown) {
  if (markdown) {
    std::fputs(model::catalog_markdown().c_str(), stdout);
    return 0;
  }
  for (const auto& m : model::all_metrics()) {
    if (model::retired(m.id)) continue;
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
