// /api/v1/live: the live history as plain numbers, one object per interval,
// so the page keeps its own copy of the range it shows, asks only for the
// intervals it has not seen and draws the charts itself. Sending the
// 5-minute charts as SVG every second was ~450 KB a second to encode, escape
// and send for one browser (BENCHMARKS.md, "Issue 26 (26c)").
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "model/snapshot.h"

namespace kpulse::dashboard {

// One object per thinned snapshot of `window` (oldest first), with what the
// live charts and heatmaps draw: {"t", "cpu", "memory", "swap", "psi": [cpu,
// memory, io], "kpulse", "runq": [[slot, count]...], "disks": {id:
// {"utilization", "latency": [[slot, count]...]}}, "net": {id: [rx, tx]},
// "cgroups": {id: cpu}} (docs/dashboard.md). Rates per second; null where
// the interval has no reading.
nlohmann::json live_points_json(const std::vector<model::Snapshot>& window);

}  // namespace kpulse::dashboard
