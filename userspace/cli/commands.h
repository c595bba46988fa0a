// Subcommand registry: each cmd_*.cpp adds one subcommand and the function
// that runs it. main.cpp only parses and dispatches.
#pragma once

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

namespace kpulse::cli {

struct Command {
  CLI::App* app;             // the parsed subcommand
  std::function<int()> run;  // returns the process exit code
};

using Registry = std::vector<Command>;

// One per subcommand, each defined in its own cmd_<name>.cpp.
void register_snapshot(CLI::App& root, Registry& reg);
void register_probes(CLI::App& root, Registry& reg);
void register_metrics(CLI::App& root, Registry& reg);
void register_analyze(CLI::App& root, Registry& reg);
void register_top(CLI::App& root, Registry& reg);
void register_export(CLI::App& root, Registry& reg);
void register_forecast(CLI::App& root, Registry& reg);
void register_run(CLI::App& root, Registry& reg);
void register_config(CLI::App& root, Registry& reg);
void register_report(CLI::App& root, Registry& reg);
void register_dump(CLI::App& root, Registry& reg);
void register_replay(CLI::App& root, Registry& reg);
void register_tune(CLI::App& root, Registry& reg);
void register_profile(CLI::App& root, Registry& reg);
void register_verify(CLI::App& root, Registry& reg);
// Shell completion generated from every subcommand registered before it.
void register_completion(CLI::App& root, Registry& reg);

}  // namespace kpulse::cli
