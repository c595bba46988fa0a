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

QuotaCgroup::QuotaCgroup(const std::string& rel, long quota_us) : rel_(rel) {
  if (v2_cpu()) {
    dirs_ = {"/sys/fs/cgroup" + rel};
    quota_file_ = dirs_[0] + "/cpu.max";
  } else {
    dirs_ = {"/sys/fs/cgroup/unified" + rel, "/sys/fs/cgroup/cpu" + rel,
             "/sys/fs/cgroup/cpuacct" + rel};
    quota_file_ = dirs_[1] + "/cpu.cfs_quota_us";
  }
  for (auto& d : dirs_) fs::create_directory(d);
  original_ = v2_cpu() ? std::to_string(quota_us) + " 100000" : std::to_string(quota_us);
  std::ofstream(quota_file_) << original_;
}

QuotaCgroup::~QuotaCgroup() {
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

std::string QuotaCgroup::enter() const {
  std::string s;
  for (auto& d : dirs_) s += "echo $$ > " + d + "/cgroup.procs; ";
  return s;
}

}  // namespace kpulse::testing
