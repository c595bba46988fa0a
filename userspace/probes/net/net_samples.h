// The net group's kernel-side structs as model samples.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/snapshot.h"
#include "probes/bpf_totals.h"
#include "probes/kernel_features.h"

namespace kpulse::probes {

// Which UDP directions the attached rungs count: the cgroup_skb and
// sock_*_length programs count datagrams; the tcp_sendmsg / tcp_cleanup_rbuf
// rungs below them see TCP only, and a zero there would be a false figure.
struct UdpCounted {
  bool sent = false;
  bool received = false;
};

// A cgroup's (or the host's) TCP and UDP counters and connect latency, from
// the total since attach and this interval's delta.
void add_net_samples(model::Component& c, const kp_net_cgroup& total, const kp_net_cgroup& delta,
                     UdpCounted udp);

// The UDP directions counted by the loaded programs, by their names.
UdpCounted udp_counted_by(const std::vector<std::pair<uint32_t, std::string>>& programs);

// "SKB_DROP_REASON_NO_SOCKET" -> "no_socket", from this kernel's BTF.
std::string drop_reason_label(const KernelFeatures& f, uint32_t reason);

// A listener's address as sock_diag reports it ("10.0.0.1:80", "[::]:443"),
// and its id ("<netns inode>/<address>").
std::string listener_address(const kp_listener_key& k);
std::string listener_id(uint64_t netns, const std::string& address);

}  // namespace kpulse::probes
