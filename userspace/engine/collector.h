// The engine: loads the probes, and every interval drains them, reads what the
// kernel already keeps, resolves names, and returns one Snapshot.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "probes/probe_status.h"

namespace kpulse::engine {

struct CollectorOptions {
  std::chrono::milliseconds interval{1000};
  bool enable_bpf = true;                 // false: /proc and cgroupfs only (no privileges)
  std::vector<std::string> probe_groups;  // empty: all (sched, block, net, mem)
  size_t max_processes = 500;             // process components per snapshot, busiest first
  bool include_idle_processes = false;    // also list processes with no activity
  // Bounds of the kernel maps (entries); a full map is counted in self.map_full.
  uint32_t max_cgroups = 4096;             // per-cgroup stats, each probe group
  uint32_t max_tracked_processes = 16384;  // per-process scheduler stats
  uint32_t max_inflight_requests = 16384;  // block requests between start and completion
};

// The probes' report types, under the engine's name for its users.
using probes::GroupStatus;
using probes::HookStatus;
using probes::MapUsage;
using probes::ProbeReport;

class Collector {
 public:
  // Throws std::runtime_error with a user-facing reason when the environment
  // cannot support what was asked (e.g. no CAP_BPF with enable_bpf).
  explicit Collector(CollectorOptions options);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Blocks until the end of the current interval, then returns its snapshot.
  // The first call also waits one full interval (deltas need a baseline).
  model::Snapshot next();
  // Like next(), but gives up (returning nullopt) as soon as `stop` says so;
  // `stop` is polled every 50 ms while waiting.
  std::optional<model::Snapshot> next(const std::function<bool()>& stop);
  // Takes a snapshot now without waiting (deltas cover the time since the last one).
  model::Snapshot collect_now();

  [[nodiscard]] const ProbeReport& probes() const;
  // Entries in each hash map of the active groups (walks the maps: on demand only).
  [[nodiscard]] std::vector<MapUsage> map_usage() const;
  [[nodiscard]] const CollectorOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kpulse::engine
