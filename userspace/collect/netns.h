// Network namespaces (to read their interfaces and counters, and for the
// tuner to act in), and running code inside one.
//
// Per-namespace sysctls (/proc/sys/net/...) resolve against the namespace of
// the task that opens them, so a write is done by a short-lived helper thread
// that setns()es into the target first; the rest of kpulse never moves.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kpulse::collect {

struct NetnsRef {
  std::string path;  // "" = kpulse's own namespace; "/var/run/netns/x" or "/proc/PID/ns/net"
  std::string name;  // "host", the `ip netns` name, or "pid:1234"
  uint64_t inode = 0;
};

// kpulse's own namespace, every `ip netns` namespace and every other namespace
// some process lives in (one entry per inode).
std::vector<NetnsRef> list_netns();
// The same, with the processes taken from `pids` (a listing of /proc made
// elsewhere) instead of reading /proc: its readdir walks every thread's pid,
// and at 10,000 threads cost more than the stats of the processes' ns/net.
std::vector<NetnsRef> list_netns(const std::vector<uint32_t>& pids);
// The inode of a namespace file, 0 when it cannot be opened.
uint64_t netns_inode(const std::string& path);
// Finds a path to enter the namespace with this inode ("" for our own), or
// returns false when no such namespace exists any more.
bool find_netns(uint64_t inode, NetnsRef& out);

// Runs `fn` on a helper thread that has joined the namespace at `path` ("" =
// ours). Returns false with `error` set when the namespace cannot be entered.
bool run_in_netns(const std::string& path, const std::function<void()>& fn, std::string& error);

}  // namespace kpulse::collect
