// TCP listening sockets via NETLINK_SOCK_DIAG (inet_diag), IPv4 and IPv6,
// in the caller's network namespace.
//
// For a listener the kernel reports the accept-queue length in idiag_rqueue
// and the backlog limit fixed at listen() in idiag_wqueue.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/listeners_exits.h"
#include "model/snapshot.h"

namespace kpulse::collect {

struct ListenerSocket {
  model::Listener listener;  // netns, address, backlog, queued filled
  std::string ip;            // "127.0.0.1", "::"
  uint16_t port = 0;
  int family = 0;      // AF_INET or AF_INET6
  uint64_t inode = 0;  // socket inode, for owner lookup
};

// "1.2.3.4:80" / "[::1]:80".
std::string format_endpoint(int family, const void* addr, uint16_t port);

// The caller's network namespace inode (<proc_root>/self/ns/net), 0 if unknown.
uint64_t current_netns(const std::string& proc_root = "/proc");

// Dumps all TCP sockets in LISTEN state. Returns false and sets `error`
// (e.g. "socket(NETLINK_SOCK_DIAG): Permission denied") when the dump fails;
// `out` then holds nothing.
bool dump_tcp_listeners(std::vector<ListenerSocket>& out, std::string& error,
                        const std::string& proc_root = "/proc");

struct SocketOwner {
  uint32_t pid = 0;
  std::string comm;
};

// Finds which process holds each socket inode by scanning /proc/PID/fd.
// That scan costs a readlink per open fd on the host, so call it only for
// the few listeners worth naming (non-empty queue, or on demand) and bound it.
struct OwnerScanLimits {
  size_t max_processes = 4096;
  std::chrono::milliseconds budget{50};
};
std::unordered_map<uint64_t, SocketOwner> find_socket_owners(
    const std::unordered_set<uint64_t>& inodes, const std::string& proc_root = "/proc",
    OwnerScanLimits limits = {});

// Where a bounded scan stopped: /proc lists processes in increasing pid order,
// so a scan cut by its budget resumes after the last pid it read. A scan
// that reaches the end of /proc is complete (resume_after_pid back to 0).
struct OwnerScanCursor {
  uint64_t resume_after_pid = 0;
  bool complete = false;
};
// One bounded step of a scan that may span calls: scans the processes after
// cursor.resume_after_pid until the limits, adding what it finds to `found`.
void continue_socket_owner_scan(const std::unordered_set<uint64_t>& inodes,
                                std::unordered_map<uint64_t, SocketOwner>& found,
                                OwnerScanCursor& cursor, const std::string& proc_root = "/proc",
                                OwnerScanLimits limits = {});

// Host-level TCP counters from /proc/net/netstat (TcpExt) and /proc/net/snmp
// (Tcp). Absent counters stay at -1.
struct TcpHostCounters {
  int64_t listen_overflows = -1;  // TcpExt ListenOverflows
  int64_t listen_drops = -1;      // TcpExt ListenDrops
  int64_t retrans_segs = -1;      // Tcp RetransSegs
};
bool read_tcp_counters(TcpHostCounters& out, const std::string& proc_root = "/proc");

}  // namespace kpulse::collect
