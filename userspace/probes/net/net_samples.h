// The net group's kernel-side structs as model samples.
#pragma once

#include <cstdint>
#include <string>

#include "model/snapshot.h"
#include "probes/bpf_totals.h"
#include "probes/kernel_features.h"

namespace kpulse::probes {

// Which UDP directions the attached rungs count (Candidate::counts_udp, set
// in net_spec where each rung is defined); a TCP-only rung's zero would be
// a false figure.
struct UdpCounted {
  bool sent = false;
  bool received = false;
};

// A cgroup's (or the host's) TCP and UDP counters and connect latency, from
// the total since attach and this interval's delta.
void add_net_samples(model::Component& c, const kp_net_cgroup& total, const kp_net_cgroup& delta,
                     UdpCounted udp);

// "SKB_DROP_REASON_NO_SOCKET" -> "no_socket", from this kernel's BTF.
std::string drop_reason_label(const KernelFeatures& f, uint32_t reason);

// A listener's address as sock_diag reports it ("10.0.0.1:80", "[::]:443"),
// and its id ("<netns inode>/<address>").
std::string listener_address(const kp_listener_key& k);
std::string listener_id(uint64_t netns, const std::string& address);

}  // namespace kpulse::probes
