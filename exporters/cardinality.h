// What of a snapshot is exported, so the series count per host stays bounded
// on a busy host: processes come and go every second (each pid a new series
// that lives a few scrapes), and cgroup trees can be thousands deep.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporters/comm_totals.h"
#include "model/snapshot.h"

namespace kpulse::exporters {

enum class ProcessExport {
  Off,     // no process series (default): hosts, CPUs, cgroups, disks, interfaces only
  ByComm,  // one series per command name, summed over its processes
  Top,     // the `top_processes` busiest processes by CPU, with pid and comm
};

struct CardinalityOptions {
  ProcessExport processes = ProcessExport::Off;
  int64_t top_processes = 20;
  // Cgroups deeper than this below the root are left out ("/a/b" is depth 2);
  // 4 reaches a Kubernetes container (/kubepods/burstable/pod<uid>/<id>).
  int64_t cgroup_depth = 4;
  // When not empty, only cgroups at or below one of these paths are exported.
  std::vector<std::string> cgroup_allow;
};

// "off", "comm", "top"; nullopt for anything else.
std::optional<ProcessExport> parse_process_export(std::string_view text);
std::string_view to_string(ProcessExport p);

// Applies the options to a snapshot in place. Event components (exited
// tasks) are always removed: they are exported as log records, not series.
// With ProcessExport::ByComm, `comm_totals` (kept by the caller from one
// snapshot to the next) makes the per-comm counters only grow; without it
// they are the plain sums over the snapshot's processes.
void limit_cardinality(model::Snapshot& snapshot, const CardinalityOptions& options,
                       CommTotals* comm_totals = nullptr);

// Depth of a cgroup path relative to the root: "/" 0, "/a" 1, "/a/b" 2.
int cgroup_depth(std::string_view path);

}  // namespace kpulse::exporters
