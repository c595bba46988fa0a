// Where the cgroup hierarchies are mounted, and which kind of host this is.
//
//   V2      cgroup2 mounted at the root (/sys/fs/cgroup/cgroup.controllers)
//   Hybrid  controllers on v1 hierarchies, cgroup2 (no controllers, used by
//           systemd for tracking) at <root>/unified
//   V1      v1 hierarchies only
//
// Detection looks at files, not /proc/mounts, so it works on a fake tree in a
// temp dir as well as on the real /sys/fs/cgroup.
#pragma once

#include <map>
#include <string>

namespace kpulse::collect {

enum class CgroupMode { None, V1, Hybrid, V2 };
std::string_view to_string(CgroupMode m);

struct CgroupLayout {
  CgroupMode mode = CgroupMode::None;
  // The cgroup2 mount ("" when there is none). bpf_get_current_cgroup_id()
  // returns ids of directories in this tree.
  std::string v2_root;
  // v1 controller → hierarchy directory, e.g. "cpuacct" → "/sys/fs/cgroup/cpuacct"
  // (co-mounted controllers such as "cpu,cpuacct" map both names to one dir).
  std::map<std::string, std::string> v1;

  // The v1 directory for `controller` or "" when it is not mounted.
  [[nodiscard]] std::string v1_dir(const std::string& controller) const;
  // The tree to enumerate cgroups in: the cgroup2 root, else the v1
  // name=systemd hierarchy, else the cpu hierarchy.
  [[nodiscard]] std::string walk_root() const;
};

CgroupLayout detect_cgroup_layout(const std::string& root = "/sys/fs/cgroup");

}  // namespace kpulse::collect
