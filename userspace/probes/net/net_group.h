// The net group: TCP and UDP bytes, TCP retransmits, opens, resets, connect latency and
// listen overflows per cgroup, drops by reason, and overflows per listener.
#pragma once

#include "probes/probe_group.h"

namespace kpulse::probes {

GroupSpec net_spec(const MapLimits& limits);

}  // namespace kpulse::probes
