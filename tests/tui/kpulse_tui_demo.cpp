// kpulse_tui_demo: `kpulse top` over the synthetic source only, for the tmux
// tests and for trying the UI where the BPF binary cannot be built. Every
// screen it draws is labelled [synthetic].
#include <cstdio>

#include <CLI/CLI.hpp>

#include "tests/support/synthetic_source.h"
#include "tui/top_app.h"

int main(int argc, char** argv) {
  CLI::App app{"kpulse top over a synthetic host (test and demo tool)"};
  kpulse::tui::TopOptions options;
  kpulse::tui::add_top_options(app, options);
  kpulse::synthetic::SyntheticOptions synth;
  app.add_option("--cgroups", synth.cgroups, "Synthetic cgroups")->check(CLI::Range(0, 100000));
  app.add_option("--processes", synth.processes, "Synthetic processes")
      ->check(CLI::Range(0, 100000));
  app.add_option("--cpus", synth.cpus, "Synthetic CPUs")->check(CLI::Range(1, 4096));
  CLI11_PARSE(app, argc, argv);
  synth.interval = std::chrono::milliseconds(static_cast<long>(options.delay_s * 1000));
  try {
    kpulse::synthetic::SyntheticSource source(synth);
    return kpulse::tui::run_top(source, options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kpulse_tui_demo: %s\n", e.what());
    return 1;
  }
}
