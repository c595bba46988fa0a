#include "collect/cgroup_layout.h"

#include <dirent.h>
#include <sys/stat.h>

namespace kpulse::collect {

namespace {
bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}
}  // namespace

std::string_view to_string(CgroupMode m) {
  switch (m) {
    case CgroupMode::None:
      return "none";
    case CgroupMode::V1:
      return "v1";
    case CgroupMode::Hybrid:
      return "hybrid";
    case CgroupMode::V2:
      return "v2";
  }
  return "?";
}

std::string CgroupLayout::v1_dir(const std::string& controller) const {
  auto it = v1.find(controller);
  return it == v1.end() ? std::string() : it->second;
}

std::string CgroupLayout::walk_root() const {
  if (!v2_root.empty()) return v2_root;
  for (const char* c : {"name=systemd", "cpu", "cpuacct", "memory"}) {
    auto d = v1_dir(c);
    if (!d.empty()) return d;
  }
  return {};
}

CgroupLayout detect_cgroup_layout(const std::string& root) {
  CgroupLayout l;
  if (exists(root + "/cgroup.controllers")) {
    l.mode = CgroupMode::V2;
    l.v2_root = root;
    return l;
  }
  if (exists(root + "/unified/cgroup.controllers")) l.v2_root = root + "/unified";

  if (DIR* d = ::opendir(root.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == ".." || name == "unified") continue;
      std::string dir = root;
      dir.append("/").append(name);
      // Every v1 hierarchy has a "tasks" file; cgroup2 does not. Symlinks such
      // as cpu -> cpu,cpuacct resolve to the same directory.
      if (!exists(dir + "/tasks")) continue;
      // The directory name lists the controllers ("cpu,cpuacct"); the
      // named systemd hierarchy is mounted as "systemd".
      if (name == "systemd") {
        l.v1.emplace("name=systemd", dir);
        continue;
      }
      size_t start = 0;
      while (start <= name.size()) {
        size_t comma = name.find(',', start);
        if (comma == std::string::npos) comma = name.size();
        // Prefer the plain directory ("cpu") over a co-mount alias.
        auto ctrl = name.substr(start, comma - start);
        auto [it, inserted] = l.v1.emplace(ctrl, dir);
        if (!inserted && name == ctrl) it->second = dir;
        start = comma + 1;
      }
    }
    ::closedir(d);
  }
  if (!l.v1.empty())
    l.mode = l.v2_root.empty() ? CgroupMode::V1 : CgroupMode::Hybrid;
  else if (!l.v2_root.empty())
    l.mode = CgroupMode::V2;  // only the unified mount exists
  return l;
}

}  // namespace kpulse::collect
