// Collection options shared by every subcommand that runs the engine.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/collector.h"
#include "probes/probe_status.h"

namespace kpulse::cli {

struct EngineFlags {
  double interval_s = 1.0;
  bool no_bpf = false;
  std::string groups;  // "sched,block"
  size_t processes = 500;
  uint32_t max_cgroups = 4096;
  uint32_t max_tracked_processes = 16384;
  bool verbose = false;

  [[nodiscard]] engine::CollectorOptions options() const;
};

// Adds --groups, refusing names that are not probe groups (an empty item
// too: "--groups ''" would otherwise load nothing without a word).
CLI::Option* add_groups_option(CLI::App& app, std::string& groups, const std::string& help);

// Adds --interval, --no-bpf, --groups, --processes, --verbose to `app`.
void add_engine_flags(CLI::App& app, const std::shared_ptr<EngineFlags>& flags);

// A probe group asked for that did not load (one the configuration left out
// has not failed).
bool group_failed(const probes::GroupStatus& g);
// Tells stderr which probe groups did not load, and why.
void warn_failed_groups(const engine::Collector& collector);

// Makes SIGINT/SIGTERM set a flag instead of killing the process, so
// destructors detach the BPF links and restore the terminal.
void install_stop_handlers();
bool stop_requested();

}  // namespace kpulse::cli
