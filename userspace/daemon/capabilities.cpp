#include "daemon/capabilities.h"

#include <sys/capability.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace kpulse::daemon {

std::vector<std::string> needed_capabilities(const config::Config& config) {
  std::vector<std::string> keep{"cap_dac_read_search", "cap_sys_ptrace"};
  if (config.tuning.enabled && !config.tuning.dry_run) {
    keep.push_back("cap_sys_admin");
    keep.push_back("cap_net_admin");
  }
  return keep;
}

std::string drop_capabilities_except(const std::vector<std::string>& keep) {
  // Only what is permitted now can be kept: an unprivileged run keeps nothing.
  cap_t current = cap_get_proc();
  if (!current) return fmt::format("cap_get_proc: {}", std::strerror(errno));
  std::vector<cap_value_t> values;
  for (const auto& name : keep) {
    cap_value_t v;
    if (cap_from_name(name.c_str(), &v) != 0) {
      cap_free(current);
      return fmt::format("unknown capability {}", name);
    }
    cap_flag_value_t permitted = CAP_CLEAR;
    cap_get_flag(current, v, CAP_PERMITTED, &permitted);
    if (permitted == CAP_SET) values.push_back(v);
  }
  cap_free(current);
  // The bounding set first: dropping from it needs CAP_SETPCAP, which goes
  // next. Without CAP_SETPCAP (an unprivileged run) the bounding set stays;
  // the empty permitted set below is what matters then.
  for (cap_value_t c = 0; c <= static_cast<cap_value_t>(cap_max_bits()) - 1; ++c) {
    if (std::find(values.begin(), values.end(), c) != values.end()) continue;
    if (!CAP_IS_SUPPORTED(c) || cap_drop_bound(c) == 0 || errno == EINVAL) continue;
    if (errno == EPERM) break;
    return fmt::format("cannot drop {} from the bounding set: {}", c, std::strerror(errno));
  }
  if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() != 0)
    return fmt::format("cannot clear ambient capabilities: {}", std::strerror(errno));
  cap_t caps = cap_init();  // all clear
  if (!caps) return "cap_init failed";
  std::string error;
  if (!values.empty() && (cap_set_flag(caps, CAP_EFFECTIVE, static_cast<int>(values.size()),
                                       values.data(), CAP_SET) != 0 ||
                          cap_set_flag(caps, CAP_PERMITTED, static_cast<int>(values.size()),
                                       values.data(), CAP_SET) != 0))
    error = "cap_set_flag failed";
  if (error.empty() && cap_set_proc(caps) != 0)
    error = fmt::format("cap_set_proc: {}", std::strerror(errno));
  cap_free(caps);
  if (error.empty() && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    error = fmt::format("PR_SET_NO_NEW_PRIVS: {}", std::strerror(errno));
  return error;
}

namespace {

// Privileges the real user does not have: any capability (file
// capabilities) or a set-uid/gid identity.
bool privileged_beyond_real_user() {
  if (::getuid() == 0) return false;
  if (::geteuid() != ::getuid() || ::getegid() != ::getgid()) return true;
  cap_t caps = cap_get_proc();
  if (!caps) return true;
  cap_t none = cap_init();
  const bool any = none && cap_compare(caps, none) != 0;
  cap_free(none);
  cap_free(caps);
  return any;
}

}  // namespace

std::string drop_privileges_for_user_files() {
  if (!privileged_beyond_real_user()) return "";
  const uid_t uid = ::getuid();
  const gid_t gid = ::getgid();
  if (::setresgid(gid, gid, gid) != 0)
    return fmt::format("setresgid({}): {}", gid, std::strerror(errno));
  if (::setresuid(uid, uid, uid) != 0)
    return fmt::format("setresuid({}): {}", uid, std::strerror(errno));
  cap_t none = cap_init();
  if (!none) return "cap_init failed";
  const int rc = cap_set_proc(none);
  cap_free(none);
  if (rc != 0) return fmt::format("cap_set_proc: {}", std::strerror(errno));
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return fmt::format("PR_SET_NO_NEW_PRIVS: {}", std::strerror(errno));
  return "";
}

UserFileAccess::UserFileAccess() {
  if (!privileged_beyond_real_user()) return;
  cap_t caps = cap_get_proc();
  if (!caps) return;
  saved_ = caps;
  cap_t lowered = cap_dup(caps);
  if (lowered) {
    cap_clear_flag(lowered, CAP_EFFECTIVE);
    cap_set_proc(lowered);
    cap_free(lowered);
  }
  // The file system identity is what open() checks; the real uid keeps
  // the right to change it back.
  ::setfsgid(::getgid());
  ::setfsuid(::getuid());
  active_ = true;
}

UserFileAccess::~UserFileAccess() {
  if (!active_) return;
  ::setfsuid(::geteuid());
  ::setfsgid(::getegid());
  cap_set_proc(static_cast<cap_t>(saved_));
  cap_free(saved_);
}

std::string describe_capabilities() {
  cap_t caps = cap_get_proc();
  if (!caps) return "?";
  char* text = cap_to_text(caps, nullptr);
  std::string out = text ? text : "?";
  cap_free(text);
  cap_free(caps);
  return out;
}

}  // namespace kpulse::daemon
