// Network interfaces from /sys/class/net/<if>/statistics → Interface
// components (id = ifname, kernel_id = ifindex).
#pragma once

#include <string>
#include <vector>

#include "collect/problems.h"
#include "model/snapshot.h"

namespace kpulse::collect {

// Lists <sys_root>/class/net; interfaces that vanish mid-read are skipped.
// Returns components sorted by name.
std::vector<model::Component> read_interfaces(const std::string& sys_root = "/sys",
                                              Problems* problems = nullptr);

}  // namespace kpulse::collect
