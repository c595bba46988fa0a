// The mem group: time in direct and memcg reclaim, and OOM kills, per cgroup.
#pragma once

#include "probes/probe_group.h"

namespace kpulse::probes {

GroupSpec mem_spec(const MapLimits& limits);

}  // namespace kpulse::probes
