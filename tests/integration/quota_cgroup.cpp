#include "quota_cgroup.h"

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace kpulse::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_trimmed(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

bool v2_cpu() {
  return fs::exists("/sys/fs/cgroup/cgroup.controllers");
}

CpuCgroup::CpuCgroup(const std::string& rel, const std::string& v2_file,
                     const std::string& v2_value, const std::string& v1_file,
                     const std::string& v1_value)
    : rel_(rel) {
  if (v2_cpu()) {
    dirs_ = {"/sys/fs/cgroup" + rel};
    file_ = dirs_[0] + "/" + v2_file;
    original_ = v2_value;
    // On cgroup2 a child has cpu.* files only when its parent hands the
    // controller down; the root does (systemd, vmtest/init), a test's own
    // parent cgroup must. (Its own processes would forbid that: it has none.)
    const fs::path parent = fs::path(dirs_[0]).parent_path();
    if (parent != "/sys/fs/cgroup") std::ofstream(parent / "cgroup.subtree_control") << "+cpu";
  } else {
    dirs_ = {"/sys/fs/cgroup/unified" + rel, "/sys/fs/cgroup/cpu" + rel,
             "/sys/fs/cgroup/cpuacct" + rel};
    file_ = dirs_[1] + "/" + v1_file;
    original_ = v1_value;
  }
  for (auto& d : dirs_) fs::create_directory(d);
  std::ofstream(file_) << original_;
}

CpuCgroup::~CpuCgroup() {
  for (auto& d : dirs_) {
    for (int i = 0; i < 50; ++i) {
      std::ifstream procs(d + "/cgroup.procs");
      bool any = false;
      for (pid_t p; procs >> p;) {
        ::kill(p, SIGKILL);
        any = true;
      }
      if (!any) break;
      std::this_thread::sleep_for(20ms);
    }
  }
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it)
    for (int i = 0; i < 100 && ::rmdir(it->c_str()) != 0 && errno != ENOENT; ++i)
      std::this_thread::sleep_for(20ms);
}

std::string CpuCgroup::enter() const {
  std::string s;
  for (auto& d : dirs_) s += "echo $$ > " + d + "/cgroup.procs; ";
  return s;
}

bool CpuCgroup::join() const {
  const std::string pid = std::to_string(::getpid());
  for (auto& d : dirs_) {
    std::ofstream procs(d + "/cgroup.procs");
    procs << pid << std::flush;
    if (!procs) return false;
  }
  return true;
}

}  // namespace kpulse::testing
