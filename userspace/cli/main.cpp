// kpulse: eBPF system profiler. Parses the command line and runs one subcommand.
#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App root{"kpulse: eBPF system profiler for Linux hosts"};
  root.require_subcommand(1);
  root.set_version_flag("--version", KPULSE_VERSION);

  kpulse::cli::Registry reg;
  kpulse::cli::register_snapshot(root, reg);
  kpulse::cli::register_probes(root, reg);
  kpulse::cli::register_top(root, reg);
  kpulse::cli::register_analyze(root, reg);
  kpulse::cli::register_export(root, reg);
  kpulse::cli::register_forecast(root, reg);
  kpulse::cli::register_metrics(root, reg);
  kpulse::cli::register_run(root, reg);
  kpulse::cli::register_config(root, reg);
  kpulse::cli::register_report(root, reg);
  kpulse::cli::register_dump(root, reg);
  kpulse::cli::register_replay(root, reg);
  kpulse::cli::register_tune(root, reg);
  kpulse::cli::register_profile(root, reg);

  CLI11_PARSE(root, argc, argv);
  try {
    for (const auto& cmd : reg)
      if (cmd.app->parsed()) return cmd.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kpulse: %s\n", e.what());
    return 1;
  }
  return 2;
}
