#include "daemon/capabilities.h"

#include <sys/capability.h>
#include <sys/prctl.h>

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
