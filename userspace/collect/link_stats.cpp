#include "collect/link_stats.h"

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace kpulse::collect {

using model::MetricId;

namespace {

// Closes the socket on every return path.
struct NetlinkSocket {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  ~NetlinkSocket() {
    if (fd >= 0) ::close(fd);
  }
};

bool send_dump_request(int fd) {
  struct {
    nlmsghdr header;
    ifinfomsg body;
  } request = {};
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = RTM_GETLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = 1;
  request.body.ifi_family = AF_UNSPEC;
  sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  return ::sendto(fd, &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel),
                  sizeof kernel) == static_cast<ssize_t>(sizeof request);
}

// One RTM_NEWLINK message → a component; false when it has no name or
// no 64-bit statistics.
bool to_component(const nlmsghdr* msg, model::Component& c) {
  const auto* info = static_cast<const ifinfomsg*>(NLMSG_DATA(msg));
  int left = static_cast<int>(IFLA_PAYLOAD(msg));
  std::optional<rtnl_link_stats64> stats;
  std::string name;
  for (const rtattr* a = IFLA_RTA(info); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
    if (a->rta_type == IFLA_IFNAME) {
      name.assign(static_cast<const char*>(RTA_DATA(a)),
                  ::strnlen(static_cast<const char*>(RTA_DATA(a)), RTA_PAYLOAD(a)));
    } else if (a->rta_type == IFLA_STATS64 && RTA_PAYLOAD(a) >= sizeof(rtnl_link_stats64)) {
      stats.emplace();
      std::memcpy(&*stats, RTA_DATA(a), sizeof *stats);  // 4-byte aligned only
    }
  }
  if (name.empty() || !stats) return false;
  c.kind = model::ComponentKind::Interface;
  c.id = c.name = name;
  c.kernel_id = static_cast<uint64_t>(info->ifi_index);
  const std::pair<MetricId, uint64_t> counters[] = {
      {MetricId::IfRxBytes, stats->rx_bytes},     {MetricId::IfTxBytes, stats->tx_bytes},
      {MetricId::IfRxPackets, stats->rx_packets}, {MetricId::IfTxPackets, stats->tx_packets},
      {MetricId::IfRxDrops, stats->rx_dropped},   {MetricId::IfTxDrops, stats->tx_dropped},
      {MetricId::IfRxErrors, stats->rx_errors},   {MetricId::IfTxErrors, stats->tx_errors}};
  for (const auto& [id, v] : counters) c.set_counter(id, static_cast<double>(v), 0);
  return true;
}

enum class Dump { Done, Failed, Interrupted };

// Reads the dump's replies into `out` until NLMSG_DONE.
Dump receive_dump(int fd, std::vector<model::Component>& out) {
  alignas(nlmsghdr) std::array<char, 32768> buf;
  bool interrupted = false;
  for (;;) {
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) return Dump::Failed;
    int left = static_cast<int>(n);
    for (auto* msg = reinterpret_cast<const nlmsghdr*>(buf.data()); NLMSG_OK(msg, left);
         msg = NLMSG_NEXT(msg, left)) {
      // The list changed while it was dumped: entries may be missing.
      interrupted |= (msg->nlmsg_flags & NLM_F_DUMP_INTR) != 0;
      if (msg->nlmsg_type == NLMSG_DONE) return interrupted ? Dump::Interrupted : Dump::Done;
      if (msg->nlmsg_type == NLMSG_ERROR) return Dump::Failed;
      model::Component c;
      if (msg->nlmsg_type == RTM_NEWLINK && to_component(msg, c)) out.push_back(std::move(c));
    }
  }
}

}  // namespace

std::optional<std::vector<model::Component>> read_link_stats() {
  for (int attempt = 0; attempt < 2; ++attempt) {
    NetlinkSocket sock;
    if (sock.fd < 0 || !send_dump_request(sock.fd)) return std::nullopt;
    std::vector<model::Component> out;
    const Dump d = receive_dump(sock.fd, out);
    if (d == Dump::Failed) return std::nullopt;
    if (d == Dump::Interrupted) continue;
    std::sort(out.begin(), out.end(),
              [](const model::Component& a, const model::Component& b) { return a.id < b.id; });
    return out;
  }
  return std::nullopt;
}

}  // namespace kpulse::collect
