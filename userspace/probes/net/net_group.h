// The net group: TCP and UDP bytes, TCP retransmits, opens, resets, connect latency and
// listen overflows per cgroup, drops by reason, and overflows per listener.
#pragma once

#include "probes/probe_group.h"

namespace kpulse::probes {

GroupSpec net_spec(const MapLimits& limits);

// Its byte hooks, whose rungs say whether they count UDP (Candidate::counts_udp).
inline constexpr const char* kNetSendHook = "ip_send_bytes";
inline constexpr const char* kNetRecvHook = "ip_recv_bytes";

}  // namespace kpulse::probes
