#include "probes/net/net_samples.h"

#include <sys/socket.h>

#include <cctype>

#include "collect/tcp_listeners.h"
#include "probes/bpf_samples.h"

namespace kpulse::probes {

using model::MetricId;

void add_net_samples(model::Component& c, const kp_net_cgroup& t, const kp_net_cgroup& d,
                     UdpCounted udp) {
  c.set_counter(MetricId::TcpTxBytes, double(t.tx_bytes), double(d.tx_bytes));
  c.set_counter(MetricId::TcpRxBytes, double(t.rx_bytes), double(d.rx_bytes));
  if (udp.sent) c.set_counter(MetricId::UdpTxBytes, double(t.udp_tx_bytes), double(d.udp_tx_bytes));
  if (udp.received)
    c.set_counter(MetricId::UdpRxBytes, double(t.udp_rx_bytes), double(d.udp_rx_bytes));
  c.set_counter(MetricId::TcpRetransmits, double(t.retransmits), double(d.retransmits));
  c.set_counter(MetricId::TcpActiveOpens, double(t.active_opens), double(d.active_opens));
  c.set_counter(MetricId::TcpPassiveOpens, double(t.passive_opens), double(d.passive_opens));
  c.set_counter(MetricId::TcpResets, double(t.resets), double(d.resets));
  c.set_counter(MetricId::TcpListenOverflows, double(t.listen_overflows),
                double(d.listen_overflows));
  add_histogram(c, MetricId::TcpConnectLatency, t.connect_latency, d.connect_latency);
}

std::string drop_reason_label(const KernelFeatures& f, uint32_t reason) {
  auto name = f.enum_name("skb_drop_reason", reason);
  if (!name) return reason == 0 ? "unknown" : "reason_" + std::to_string(reason);
  std::string s = *name;
  const std::string prefix = "SKB_DROP_REASON_";
  if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string listener_address(const kp_listener_key& k) {
  const int family = k.family == 10 ? AF_INET6 : AF_INET;
  return collect::format_endpoint(family, k.addr, k.port);
}

std::string listener_id(uint64_t netns, const std::string& address) {
  return model::listener_id(netns, address);
}

}  // namespace kpulse::probes
