// The block group: I/O operations, bytes, errors and queue and device
// latency per cgroup and disk.
#pragma once

#include "probes/probe_group.h"

namespace kpulse::probes {

GroupSpec block_spec(const MapLimits& limits);

}  // namespace kpulse::probes
