// Feeds `kpulse top`'s alerts view from the analytics Analyzer: one ingest per
// snapshot the TUI shows, active alerts mapped to tui::AlertItem.
#pragma once

#include <functional>
#include <vector>

#include "model/snapshot.h"
#include "tui/frame_builder.h"

namespace kpulse::cli {

// A callback for tui::TopOptions::alerts that owns its own Analyzer.
std::function<std::vector<tui::AlertItem>(const model::Snapshot&)> make_top_alerts();

}  // namespace kpulse::cli
