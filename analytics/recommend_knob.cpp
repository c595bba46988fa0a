// Where a recommended setting lives on this host, and reading it there.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "analytics/recommend.h"

namespace kpulse::analytics {

std::string_view to_string(KnobKind k) {
  switch (k) {
    case KnobKind::Sysctl:
      return "sysctl";
    case KnobKind::Cgroup:
      return "cgroup";
    case KnobKind::Block:
      return "block";
  }
  return "?";
}

std::string Knob::path(std::string_view cgroup_root) const {
  switch (kind) {
    case KnobKind::Sysctl: {
      std::string p = "/proc/sys/" + name;
      std::replace(p.begin() + 10, p.end(), '.', '/');
      return p;
    }
    case KnobKind::Cgroup: {
      std::string p(cgroup_root);
      // cgroup v1 files live in their controller's hierarchy below the
      // cgroup mount point (/sys/fs/cgroup/cpu/<cgroup>/cpu.shares).
      if (name == "cpu.shares" || name == "cpu.cfs_quota_us") p += "/cpu";
      if (name == "memory.limit_in_bytes") p += "/memory";
      if (name.rfind("blkio.", 0) == 0) p += "/blkio";
      if (cgroup != "/") p += cgroup;
      return p + "/" + name;
    }
    case KnobKind::Block:
      return "/sys/block/" + device + "/" + name;
  }
  return {};
}

std::optional<std::string> read_knob_from_host(const Knob& knob) {
  // Another namespace's sysctls are only visible from inside it.
  if (knob.kind == KnobKind::Sysctl && !knob.netns.empty()) return std::nullopt;
  std::ifstream in(knob.path());
  // Hybrid hosts mount cgroup2 at /sys/fs/cgroup/unified.
  if (!in && knob.kind == KnobKind::Cgroup) in.open(knob.path("/sys/fs/cgroup/unified"));
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string v = ss.str();
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

}  // namespace kpulse::analytics
