// Network interfaces from /sys/class/net/<if>/statistics → Interface
// components (id = ifname, kernel_id = ifindex).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collect/netns.h"
#include "collect/problems.h"
#include "model/snapshot.h"

namespace kpulse::collect {

// Lists <sys_root>/class/net; interfaces that vanish mid-read are skipped.
// Returns components sorted by name.
std::vector<model::Component> read_interfaces(const std::string& sys_root = "/sys",
                                              Problems* problems = nullptr);

// One row of /proc/net/dev.
struct NetDevRow {
  std::string name;
  uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_drops = 0;
  uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_drops = 0;
};
// Parses the text of /proc/net/dev (two header lines, then one per interface).
std::vector<NetDevRow> parse_net_dev(std::string_view text);

// Interfaces of every other network namespace (`ip netns` ones and those
// processes live in), read from /proc/PID/net/dev of a member process or, for
// a namespace no process is in, from inside it (needs CAP_SYS_ADMIN). Their
// id is "IFNAME@NETNS" (the `ip netns` name, or "pid:PID"): sysfs shows only
// kpulse's own namespace, and traffic between two containers or namespaces
// never crosses it.
std::vector<model::Component> read_other_netns_interfaces(Problems* problems = nullptr);

// The same, read every interval, with the namespace list kept between reads:
// listing them stats /proc/PID/ns/net of every process (with ~500 processes,
// a sixth of the engine's CPU per interval), while the namespaces themselves
// change only when a process or `ip netns` makes or drops one. The list is
// made afresh every `relist_every` reads, and at the next read after a
// namespace could not be read (its process exited, or it was deleted); a new
// namespace shows within `relist_every` reads. Its interface counters are
// cumulative, so nothing is lost meanwhile, only shown later.
//
// relist_from() makes the list from a process listing the caller made
// anyway (the engine's /proc scan, every few intervals), which restarts the
// period: where it comes at least every `relist_every` reads, read() never
// lists /proc itself, except after a namespace could not be read.
class OtherNetnsInterfaces {
 public:
  explicit OtherNetnsInterfaces(unsigned relist_every = 5) : relist_every_(relist_every) {}
  std::vector<model::Component> read(Problems* problems = nullptr);
  // `pids`: every process in /proc, listed moments ago.
  void relist_from(const std::vector<uint32_t>& pids);

 private:
  unsigned relist_every_;
  unsigned reads_since_list_ = 0;
  bool relist_ = true;
  std::vector<NetnsRef> netns_;
};

}  // namespace kpulse::collect
