// The four probe groups kpulse ships, with each hook's rungs in order.
#pragma once

#include <cstdint>
#include <vector>

#include "probes/probe_group.h"

namespace kpulse::probes {

struct MapLimits {
  uint32_t cgroups = 4096;     // per-cgroup stats entries, each group
  uint32_t processes = 16384;  // per-process scheduler entries
  uint32_t requests = 16384;   // block requests in flight
};

std::vector<GroupSpec> builtin_groups(const MapLimits& limits, bool per_process);

}  // namespace kpulse::probes
