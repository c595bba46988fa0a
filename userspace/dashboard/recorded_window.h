// Chart windows older than the live history, read from the daemon's
// recording: the finest tier that keeps the window under `max_points`
// snapshots (full resolution, then 1 min, then 1 h buckets), each thinned as
// it is decoded so memory stays that of `max_points` thinned snapshots
// whatever the span.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/snapshot.h"

namespace kpulse::dashboard {

struct RecordedWindow {
  std::vector<model::Snapshot> snapshots;  // thinned, oldest first
  std::string tier;                        // "full", "1m", "1h"; "" when nothing read
  int64_t from_ns = 0, to_ns = 0;          // after clamping the span
};

// `interval_s`: the collection interval (the full tier's step). Spans longer
// than `max_points` hours are cut to that, ending at `to_ns`.
RecordedWindow read_recorded_window(const std::filesystem::path& dir, int64_t from_ns,
                                    int64_t to_ns, double interval_s, size_t max_points);

// {"tiers": [{"tier", "first_ns", "last_ns"}]} for the page's range picker.
nlohmann::json recording_extent(const std::filesystem::path& dir);

}  // namespace kpulse::dashboard
