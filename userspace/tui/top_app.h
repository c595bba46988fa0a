// `kpulse top`: the interactive loop and the batch mode, over any snapshot
// source. The CLI (cli/cmd_top.cpp) and the demo executable share it.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include <CLI/CLI.hpp>

#include "tui/frame_builder.h"
#include "model/snapshot_source.h"
#include "tui/time_jump.h"

namespace kpulse::tui {

struct TopOptions {
  double delay_s = 1.0;  // refresh interval; sources that collect use it as their interval
  bool batch = false;
  int iterations = 0;  // frames to show before exiting; 0: until quit
  int width = 0;       // batch width; 0: $COLUMNS, else 160
  bool ascii = false;  // force ASCII glyphs
  bool no_color = false;
  // Analysis of each snapshot shown (alerts, forecasts, patterns,
  // recommendations); unset: those views say there is no data.
  std::function<AnalysisView(const model::Snapshot&)> analyze;
  // The recorded CPU profile around a snapshot (replay); unset: the profile
  // view says nothing records stacks. Called only while that view shows.
  std::function<ProfileView(const model::Snapshot&)> profile;
  // Replay's go-to key (T): parses absolute times and "-N{s,m,h,d}" offsets.
  TimeParser parse_time;
};

// Adds -d/--delay, -b/--batch, -n/--iterations, --width, --ascii, --no-color.
void add_top_options(CLI::App& app, TopOptions& options);

// Runs until quit (interactive) or `iterations` frames (batch). Returns the
// process exit code; throws what the source throws.
int run_top(model::SnapshotSource& source, const TopOptions& options);

}  // namespace kpulse::tui
