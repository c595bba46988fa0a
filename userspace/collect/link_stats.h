// Interface counters of kpulse's own network namespace in one rtnetlink dump
// (RTM_GETLINK, IFLA_STATS64) instead of eight sysfs files per interface:
// both come from the kernel's dev_get_stats(), so the figures are the same
// (/proc/net/dev is not: its drop column adds rx_missed_errors). A dump is
// two or three syscalls whatever the number of interfaces; the sysfs files
// were 27 per interface (open, read, close), a tenth of the engine's
// kernel-kept reads on a host with four interfaces.
#pragma once

#include <optional>
#include <vector>

#include "model/snapshot.h"

namespace kpulse::collect {

// Interface components (id = name = ifname, kernel_id = ifindex, the eight
// statistics counters), sorted by name; nullopt when the dump failed (no
// netlink, a dump interrupted twice by interfaces coming or going): the
// caller reads sysfs then.
std::optional<std::vector<model::Component>> read_link_stats();

}  // namespace kpulse::collect
