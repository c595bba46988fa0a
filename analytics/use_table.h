// USE tables: for every component of a snapshot, its utilization, saturation
// and error signals per resource (Brendan Gregg's USE method), normalised so
// one rule can judge them all: each saturation signal carries the level at
// which it counts as saturated, so value/limit >= 1 means "saturated".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/format.h"
#include "model/snapshot.h"

namespace kpulse::analytics {

enum class Resource { Cpu, Memory, Disk, Network };
std::string_view to_string(Resource r);

enum class UseRole { Utilization, Saturation, Errors };
std::string_view to_string(UseRole r);

struct UseSignal {
  std::string name;  // "runq_latency_p99", "psi_cpu_some", "retransmits"
  UseRole role = UseRole::Saturation;
  double value = model::kNaN;
  // Saturation and errors: the value at which the signal alone means
  // trouble (value/limit >= 1). Utilization: 1 (value is a share).
  double limit = 1;
  model::Quantity unit;  // seconds, a ratio, a count per second...
};

struct UseRow {
  model::ComponentKind kind = model::ComponentKind::Host;
  std::string key;   // Component::key(), "cgroup:/app.slice"
  std::string id;    // Component::id
  std::string name;  // Component::name
  Resource resource = Resource::Cpu;
  double utilization = model::kNaN;  // 0..1 share of the resource's capacity
  double saturation = model::kNaN;   // max over saturation signals of value/limit
  double errors = model::kNaN;       // max over error signals of value/limit
  std::vector<UseSignal> signals;

  [[nodiscard]] const UseSignal* find(std::string_view signal) const;
};

// Thresholds for the saturation and error signals (the defaults suit a
// general-purpose host; see docs/analytics.md for why each is where it is).
struct UseLimits {
  double runq_p99_s = 0.020;        // scheduler wait a latency-sensitive task notices
  double psi_share = 0.25;          // share of the interval some task stalled
  double throttled_share = 0.25;    // share of quota periods a cgroup ran out of quota
  double reclaim_share = 0.05;      // share of the interval in direct reclaim
  double major_faults_per_s = 200;  // paging in from disk
  double disk_queue_depth = 4;      // average requests in flight
  double disk_latency_p99_s = 0.050;
  double retransmits_per_s = 5;
  double drops_per_s = 5;
  double listen_overflows_per_s = 1;
  double errors_per_s = 1;  // device and interface errors
};

// One row per (component, resource) the snapshot has data for. Process and
// agent components are left out: they are causes, not resources.
std::vector<UseRow> use_table(const model::Snapshot& snap, const UseLimits& limits = {});

// The snapshot's CPUs (its per-CPU rows), at least 1.
double cpu_count(const model::Snapshot& snap);

}  // namespace kpulse::analytics
