// Network rules: accept and SYN backlogs, congestion control under loss,
// socket buffer ceilings and the input queue.
#include <sstream>
#include <utility>

#include "analytics/recommend_rules.h"

namespace kpulse::analytics::rules {

void network_rules(const Bottleneck& b, Builder& add) {
  if (b.rule == "listen-overflow") {
    add.add("listen-backlog", sysctl_knob("net.core.somaxconn"), raise_to(4096, 1, 65535),
            "fewer connections dropped at accept", 0.6,
            "accept queues overflow; somaxconn caps every listen() backlog (the application "
            "must also ask for a larger backlog)");
    add.add("listen-backlog", sysctl_knob("net.ipv4.tcp_max_syn_backlog"), raise_to(4096, 1, 65535),
            "fewer SYNs dropped during bursts", 0.4,
            "half-open connections wait here before the accept queue");
  } else if (b.rule == "tcp-loss") {
    add.add(
        "tcp-loss", sysctl_knob("net.ipv4.tcp_congestion_control"),
        [](const std::optional<std::string>& cur) -> std::optional<std::string> {
          if (!cur || *cur == "bbr") return std::nullopt;
          return std::string("bbr");
        },
        "throughput under random loss holds up instead of halving per loss", 0.35,
        "retransmits show loss on the path; loss-based congestion control (cubic) backs off "
        "on every loss, BBR paces to the measured bandwidth (needs tcp_bbr loaded)");
  } else if (b.rule == "network-saturation") {
    // SO_RCVBUF/SO_SNDBUF are capped by the core maxima, autotuning by
    // tcp_[rw]mem: a core maximum below the TCP one caps applications that
    // size their buffers themselves.
    for (auto [core, tcp] : {std::pair{"net.core.rmem_max", "net.ipv4.tcp_rmem"},
                             std::pair{"net.core.wmem_max", "net.ipv4.tcp_wmem"}}) {
      auto tcp_raw = add.read(sysctl_knob(tcp));
      double tcp_max = 0;
      if (tcp_raw) {
        std::istringstream in(*tcp_raw);
        double mn = 0, def = 0;
        in >> mn >> def >> tcp_max;
      }
      if (!(tcp_max > 0)) continue;
      add.add("tcp-buffer-ceiling", sysctl_knob(core), raise_to(tcp_max, 1, 64.0 * 1024 * 1024),
              std::string("applications sizing their socket buffers get up to the TCP maximum"),
              0.3,
              std::string(core) + " is below the maximum of " + tcp +
                  ": explicit SO_RCVBUF/SO_SNDBUF requests are capped at the smaller value");
    }
  } else if (b.rule == "packet-drops") {
    add.add("rx-backlog", sysctl_knob("net.core.netdev_max_backlog"), raise_to(2000, 2, 65536),
            "fewer packets dropped between the driver and the stack", 0.3,
            "drops at the interface while the per-CPU input queue fills");
  }
}

}  // namespace kpulse::analytics::rules
