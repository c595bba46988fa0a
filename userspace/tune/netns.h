// Network namespaces for the tuner: the collector lists and enters them too,
// so they live in collect/netns.h.
#pragma once

#include "collect/netns.h"

namespace kpulse::tune {

using collect::find_netns;
using collect::list_netns;
using collect::netns_inode;
using collect::NetnsRef;
using collect::run_in_netns;

}  // namespace kpulse::tune
