// kpulse: eBPF system profiler. Parses the command line and runs one subcommand.
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "cli/conventions.h"
#include "cli/version_info.h"

namespace {

int run_kpulse(int argc, char** argv) {
  CLI::App root{"kpulse: eBPF system profiler for Linux hosts"};
  root.require_subcommand(1);
  root.set_version_flag("-V,--version", kpulse::cli::version_text,
                        "Print the version, commit, libbpf version and kernel features");

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
  kpulse::cli::register_verify(root, reg);
  // Last: it describes every subcommand registered above.
  kpulse::cli::register_completion(root, reg);

  kpulse::cli::apply_duration_units(root);
  if (auto status = kpulse::cli::parse_command_line(root, argc, argv)) return *status;
  try {
    for (const auto& cmd : reg)
      if (cmd.app->parsed()) return cmd.run();
  } catch (const kpulse::cli::UsageError& e) {
    return kpulse::cli::report_usage_error(root, e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kpulse: %s\n", e.what());
    return 1;
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Setting the command line up can throw too (CLI11 on a clash, bad_alloc);
  // nothing leaves main as an uncaught exception and an abort.
  try {
    return run_kpulse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kpulse: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "kpulse: unexpected error\n");
  }
  return 1;
}
