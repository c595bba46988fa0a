// The frame builder: turns a snapshot, the UI's history and state into a
// Frame of styled text. Pure (no terminal), so layout is unit-tested and the
// batch mode prints exactly what the screen shows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "tui/frame.h"
#include "tui/history.h"
#include "tui/ui_state.h"

namespace kpulse::tui {

// An active alert as the alerts view lists it (filled from analytics).
struct AlertItem {
  std::string severity;   // "critical", "warning", "info"
  std::string component;  // component key, e.g. "cgroup:/system.slice/db.service"
  std::string summary;
  int64_t since_ns = 0;
};

// One forecast as the forecasts view and the detail view show it. Figures
// come pre-formatted: the TUI does not know the analytics' units or horizons.
struct ForecastItem {
  std::string component;  // component key
  std::string metric;     // catalog name, "cgroup.memory.current"
  std::string now;        // newest value, "3.1 GiB"
  std::string peak;       // highest forecast value and when, "3.4 GiB Tue 14:00"
  std::string runs_out;   // "memory.max in 4 d 2 h", "" when it does not
  std::string horizon;    // "7 d", "2 h"
  std::string summary;    // the analytics' one line
  // The end of the horizon with its prediction intervals:
  // "in 7 d: 3.4 GiB (80% 3.2 GiB to 3.6 GiB, 95% 3.0 GiB to 3.8 GiB)".
  std::string band;
  std::vector<double> point;  // point forecast, for a sparkline
  bool exhausts = false;      // reaches its limit within the horizon
};

// A label for a component: its workload pattern, or a recommended change.
struct ComponentNote {
  std::string component;  // component key
  std::string text;
};

// What analytics says about the snapshot on screen.
struct AnalysisView {
  std::vector<AlertItem> alerts;
  std::vector<ForecastItem> forecasts;
  // Why there are no forecasts yet ("collecting history: 12 of 60 minutes").
  std::string forecast_status;
  std::vector<ComponentNote> patterns;
  std::vector<ComponentNote> recommendations;
  // The auto-tuner's changes in force (its journal), newest last; the
  // component is the knob ("cgroup:/app cpu.max").
  std::vector<ComponentNote> tuning;
};

// The recorded CPU profile around the snapshot shown (replay), pre-formatted:
// the TUI does not read recordings.
struct ProfileCgroup {
  std::string cgroup;  // "/system.slice/db.service"
  // "cgroup /db: 62% of its CPU in compress_block (libz.so.1), 62 of 100 samples"
  std::string hot;
  struct Stack {
    std::string share;  // of the cgroup's samples, " 41%"
    std::string stack;  // folded, root first: "db;main;run;compress_block"
  };
  std::vector<Stack> stacks;  // busiest first
};
struct ProfileView {
  std::string window;  // what was read: "12:03:00 to 12:04:00 UTC, 2 profiling windows"
  std::string status;  // why there is nothing ("no recorded stacks in that minute")
  std::vector<ProfileCgroup> cgroups;  // busiest first
};

struct FrameInput {
  const model::Snapshot* snapshot = nullptr;  // null until the first arrives
  const History* history = nullptr;
  // Null while analytics is not wired in: the UI then says so instead of "0".
  const AnalysisView* analysis = nullptr;
  // Null where nothing records stacks (live top): the profile view says so.
  const ProfileView* profile = nullptr;
  std::string source = "live";
  const Glyphs* glyphs = &unicode_glyphs();
};

// Builds a frame of exactly `height` lines (height 0: as many as the content
// needs, for batch mode), none wider than `width`. Clamps the cursor and
// records table size and page length in `state` for the key handler.
Frame build_frame(const FrameInput& in, UiState& state, int width, int height);

}  // namespace kpulse::tui
