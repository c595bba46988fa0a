// Least privilege: once the probes are loaded and attached, the daemon keeps
// only the capabilities that what is enabled still needs (docs/daemon.md).
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace kpulse::daemon {

// Capability names ("cap_dac_read_search") the running daemon needs for
// `config`, after attach:
// - cap_dac_read_search, cap_sys_ptrace: read /proc/PID of other users
//   (io, fd counts, cmdline of processes that are not dumpable);
// - cap_sys_admin, cap_net_admin: the tuner's sysctl and qdisc writes, only
//   when tuning is enabled and not a dry run.
// Reading the already-open BPF maps needs none (checked in
// tests/integration/daemon_caps_test.cpp).
std::vector<std::string> needed_capabilities(const config::Config& config);

// Drops every other capability from the effective, permitted, inheritable
// and ambient sets and from the bounding set, and sets no_new_privs so
// nothing comes back through exec. Returns "" or
// the reason it failed (the caller decides whether that is fatal).
std::string drop_capabilities_except(const std::vector<std::string>& keep);

// The effective set as text ("cap_dac_read_search,cap_sys_ptrace=ep"), for logs.
std::string describe_capabilities();

}  // namespace kpulse::daemon
