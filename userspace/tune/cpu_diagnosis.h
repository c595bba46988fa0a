// Why a cgroup waits for CPU, told apart from the evidence before any remedy
// is chosen: its own quota throttles it (cpu.max / cfs_quota_us is the knob),
// a sibling takes the CPUs it would get (cpu.weight / cpu.shares), or the
// whole host is saturated (no knob helps without taking from someone: advice).
// Shares are of the whole host: processes in the root cgroup count.
#pragma once

#include <string>

#include "model/snapshot.h"

namespace kpulse::tune {

// Throttled in at least this share of its enforcement periods: the quota,
// not a neighbour, holds the cgroup back.
constexpr double kQuotaThrottledShare = 0.2;

// The host's CPU as one snapshot saw it.
struct HostCpu {
  double cpus = 1;     // online CPUs
  double busy = 0;     // CPUs busy (all processes, every cgroup and the root one)
  double idle = 0;     // CPUs idle
  double outside = 0;  // CPUs used by processes in the root cgroup itself
  bool valid = false;
};
HostCpu host_cpu(const model::Snapshot& s);

// Share of its periods a cgroup was throttled in over the interval; NaN
// when it has no quota or ran no period.
double throttled_share(const model::Component& c);

// The name of a busy party for evidence: a cgroup path, or the processes of
// the root cgroup ("processes in /").
std::string party_name(const std::string& cgroup);

}  // namespace kpulse::tune
