// What the kernel already keeps, read each interval from /proc and /sys: the
// host (CPU time, memory, PSI), its CPUs, disks with their filesystems and
// the network interfaces of every namespace. BPF adds nothing here.
#pragma once
#include <vector>

#include "collect/disk_stats.h"
#include "collect/net_interfaces.h"
#include "collect/tcp_listeners.h"
#include "model/snapshot.h"

namespace kpulse::engine {

// The components in that order (host first), cumulative counters marked
// for the delta tracker. `disk_names` learns this interval's disks; `tcp`
// receives the host's TCP counters (/proc/net/netstat); `other_netns` keeps
// the list of other network namespaces between intervals.
std::vector<model::Component> read_kernel_kept(const char* proc_root, const char* sys_root,
                                               collect::DiskNames& disk_names,
                                               collect::TcpHostCounters& tcp,
                                               collect::OtherNetnsInterfaces& other_netns);

}  // namespace kpulse::engine
