#include "collect/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <thread>

namespace kpulse::collect {

uint64_t netns_inode(const std::string& path) {
  struct stat st {};
  if (::stat(path.empty() ? "/proc/self/ns/net" : path.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

namespace {

// Ours and the `ip netns` ones: the start of every listing.
std::vector<NetnsRef> own_and_named(std::set<uint64_t>& seen) {
  std::vector<NetnsRef> out;
  uint64_t self = netns_inode("");
  out.push_back({"", "host", self});
  seen.insert(self);
  if (DIR* d = ::opendir("/var/run/netns")) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      std::string p = std::string("/var/run/netns/") + e->d_name;
      uint64_t ino = netns_inode(p);
      if (ino && seen.insert(ino).second) out.push_back({p, e->d_name, ino});
    }
    ::closedir(d);
  }
  return out;
}

// Adds the namespace of process `pid` (its name in /proc) if not seen yet.
void add_process_netns(const char* pid, std::set<uint64_t>& seen, std::vector<NetnsRef>& out) {
  std::string p = std::string("/proc/") + pid + "/ns/net";
  uint64_t ino = netns_inode(p);
  if (ino && seen.insert(ino).second) out.push_back({p, std::string("pid:") + pid, ino});
}

}  // namespace

std::vector<NetnsRef> list_netns() {
  std::set<uint64_t> seen;
  std::vector<NetnsRef> out = own_and_named(seen);
  // Containers rarely register with `ip netns`: find them through their processes.
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] >= '1' && e->d_name[0] <= '9') add_process_netns(e->d_name, seen, out);
    ::closedir(d);
  }
  return out;
}

std::vector<NetnsRef> list_netns(const std::vector<uint32_t>& pids) {
  std::set<uint64_t> seen;
  std::vector<NetnsRef> out = own_and_named(seen);
  for (uint32_t pid : pids) add_process_netns(std::to_string(pid).c_str(), seen, out);
  return out;
}

bool find_netns(uint64_t inode, NetnsRef& out) {
  for (auto& n : list_netns())
    if (n.inode == inode) {
      out = n;
      return true;
    }
  return false;
}

bool run_in_netns(const std::string& path, const std::function<void()>& fn, std::string& error) {
  if (path.empty()) {
    fn();
    return true;
  }
  bool ok = false;
  std::thread t([&] {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = path + ": " + std::strerror(errno);
      return;
    }
    // setns from a thread changes only that thread; CLONE_FS sharing does not
    // matter for network namespaces.
    if (::setns(fd, CLONE_NEWNET) != 0) {
      error = "setns(" + path + "): " + std::strerror(errno);
      ::close(fd);
      return;
    }
    ::close(fd);
    fn();
    ok = true;
  });
  t.join();
  return ok;
}

}  // namespace kpulse::collect
