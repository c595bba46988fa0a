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

// Files a user names on the command line (forecast --input, analyze
// --series, config check --config, recording directories) are opened with
// that user's own rights: with file capabilities (setcap
// cap_bpf,cap_perfmon,cap_dac_read_search+ep) any user could otherwise read
// any file through kpulse's parse errors, or learn whether it exists.

// For commands that need no privilege at all: drops every capability and a
// set-uid/gid identity for good when the real user is not root. Returns ""
// or why it failed (the caller must not go on).
std::string drop_privileges_for_user_files();

// For commands that need their capabilities afterwards (run, tune): clears
// the effective capabilities and takes the real user's file system identity
// while it lives; restores them after. A no-op for root.
class UserFileAccess {
 public:
  UserFileAccess();
  ~UserFileAccess();
  UserFileAccess(const UserFileAccess&) = delete;
  UserFileAccess& operator=(const UserFileAccess&) = delete;

 private:
  void* saved_ = nullptr;  // cap_t
  bool active_ = false;
};

// The effective set as text ("cap_dac_read_search,cap_sys_ptrace=ep"), for logs.
std::string describe_capabilities();

}  // namespace kpulse::daemon
