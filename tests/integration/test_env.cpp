#include "test_env.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "collect/cgroup_layout.h"
#include "probes/kernel_features.h"

namespace fs = std::filesystem;

namespace kpulse::testing {

bool bpf_required() {
  const char* v = std::getenv("KPULSE_REQUIRE_BPF");
  return v && std::string(v) == "1";
}

std::string bpf_unavailable_reason() {
  if (std::string why = probes::missing_bpf_privileges(); !why.empty()) return why;
  if (!fs::exists("/sys/kernel/btf/vmlinux")) return "kernel has no BTF (/sys/kernel/btf/vmlinux)";
  return {};
}

double time_scale() {
  const char* v = std::getenv("KPULSE_TEST_TIME_SCALE");
  double scale = v ? std::atof(v) : 1.0;
  return scale >= 1.0 ? scale : 1.0;
}

std::chrono::milliseconds scaled(std::chrono::milliseconds limit) {
  return std::chrono::milliseconds(static_cast<long long>(limit.count() * time_scale()));
}

int run(const std::string& cmd, std::string* out) {
  std::string full = cmd + " 2>&1";
  FILE* p = popen(full.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  std::string text;
  while (size_t n = fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  int status = pclose(p);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool have_command(const std::string& name) {
  return run("command -v " + name + " >/dev/null") == 0;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool wait_for_text(const std::string& path, const std::string& text, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (slurp(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

namespace {

std::string cgroup2_root() {
  auto layout = collect::detect_cgroup_layout();
  return layout.v2_root;
}

std::string unique(const std::string& tag) {
  static int n = 0;
  return "kpt-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(++n);
}

}  // namespace

TestCgroup::TestCgroup(const std::string& name) {
  std::string root = cgroup2_root();
  if (root.empty()) throw std::runtime_error("no cgroup2 mount");
  rel_ = "/" + unique(name);
  dir_ = root + rel_;
  fs::create_directory(dir_);
}

void TestCgroup::kill_all() const {
  auto procs = [&] {
    std::ifstream in(dir_ + "/cgroup.procs");
    std::vector<pid_t> pids;
    for (pid_t p; in >> p;) pids.push_back(p);
    return pids;
  };
  // cgroup.kill (5.14+) kills every task of the cgroup at once, including
  // workers forking at that moment (stress-ng's escape a process-group kill).
  {
    std::ofstream kill_file(dir_ + "/cgroup.kill");
    if (kill_file) kill_file << "1" << std::flush;
  }
  for (int attempt = 0; attempt < 250; ++attempt) {
    auto pids = procs();
    if (pids.empty()) return;
    for (pid_t p : pids) ::kill(p, SIGKILL);  // kernels without cgroup.kill
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::fprintf(stderr, "test cleanup: tasks still in %s after 5 s\n", dir_.c_str());
}

TestCgroup::~TestCgroup() {
  kill_all();
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (::rmdir(dir_.c_str()) == 0 || errno == ENOENT) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::fprintf(stderr, "test cleanup: could not remove %s\n", dir_.c_str());
}

namespace {

// In a freshly forked child: joins the cgroup (exit 126 on failure).
void join_cgroup(const std::string& procs) {
  if (procs.empty()) return;
  int fd = ::open(procs.c_str(), O_WRONLY);
  if (fd < 0 || ::write(fd, "0", 1) != 1) _exit(126);
  ::close(fd);
}

}  // namespace

Child::Child(const std::function<int()>& body, const TestCgroup* cgroup, const std::string& netns) {
  std::string procs = cgroup ? cgroup->dir() + "/cgroup.procs" : "";
  std::string netns_path = netns.empty() ? "" : "/run/netns/" + netns;
  pid_ = fork();
  if (pid_ == 0) {
    join_cgroup(procs);
    setpgid(0, 0);
    if (!netns_path.empty()) {
      int fd = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) _exit(125);
      ::close(fd);
    }
    _exit(body());
  }
}

Child::Child(const std::string& shell_command, const TestCgroup* cgroup, const std::string& netns) {
  std::string procs = cgroup ? cgroup->dir() + "/cgroup.procs" : "";
  pid_ = fork();
  if (pid_ == 0) {
    join_cgroup(procs);
    setpgid(0, 0);
    if (!netns.empty())
      execl("/usr/bin/ip", "ip", "netns", "exec", netns.c_str(), "/bin/sh", "-c",
            shell_command.c_str(), (char*)nullptr);
    else
      execl("/bin/sh", "sh", "-c", shell_command.c_str(), (char*)nullptr);
    _exit(127);
  }
}

int Child::wait(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

Child::~Child() {
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

LoopDevice::LoopDevice(int mib, bool direct_io) {
  file_ = "/var/tmp/" + unique("loop") + ".img";
  if (run("truncate -s " + std::to_string(mib) + "M " + file_) != 0)
    throw std::runtime_error("cannot create " + file_);
  std::string out;
  const std::string dio = direct_io ? "--direct-io=on " : "";
  if (run("losetup --find --show " + dio + file_, &out) != 0) {
    std::error_code ec;
    fs::remove(file_, ec);  // no destructor runs for a throwing constructor
    throw std::runtime_error("losetup failed: " + out);
  }
  device_ = out.substr(0, out.find('\n'));
}

LoopDevice::~LoopDevice() {
  if (!device_.empty()) run("losetup -d " + device_);
  std::error_code ec;
  fs::remove(file_, ec);
}

std::string LoopDevice::name() const {
  return fs::path(device_).filename().string();
}

VethNamespace::VethNamespace(const std::string& tag, const std::string& host_ip,
                             const std::string& ns_ip) {
  ns_ = unique(tag);
  // Interface names are limited to 15 bytes.
  std::string suffix = std::to_string(getpid() % 100000);
  host_if_ = "kph" + suffix;
  std::string ns_if = "kpn" + suffix;
  std::string cmds[] = {
      "ip netns add " + ns_,
      "ip link add " + host_if_ + " type veth peer name " + ns_if,
      "ip link set " + ns_if + " netns " + ns_,
      "ip addr add " + host_ip + "/24 dev " + host_if_,
      "ip link set " + host_if_ + " up",
      "ip netns exec " + ns_ + " ip addr add " + ns_ip + "/24 dev " + ns_if,
      "ip netns exec " + ns_ + " ip link set " + ns_if + " up",
      "ip netns exec " + ns_ + " ip link set lo up",
  };
  for (const auto& c : cmds) {
    std::string out;
    if (run(c, &out) != 0) throw std::runtime_error(c + ": " + out);
  }
}

VethNamespace::~VethNamespace() {
  run("ip link del " + host_if_);
  run("ip netns del " + ns_);
}

int VethNamespace::exec(const std::string& cmd, std::string* out) const {
  return run("ip netns exec " + ns_ + " " + cmd, out);
}

NamespacePair::NamespacePair(const std::string& tag, const std::string& a_ip,
                             const std::string& b_ip) {
  a_ = unique(tag + "-a");
  b_ = unique(tag + "-b");
  const std::string suffix = std::to_string(getpid() % 100000);
  const std::string a_if = "kpa" + suffix, b_if = "kpb" + suffix;
  const std::string cmds[] = {
      "ip netns add " + a_,
      "ip netns add " + b_,
      "ip link add " + a_if + " netns " + a_ + " type veth peer name " + b_if + " netns " + b_,
      "ip -n " + a_ + " addr add " + a_ip + "/24 dev " + a_if,
      "ip -n " + b_ + " addr add " + b_ip + "/24 dev " + b_if,
      "ip -n " + a_ + " link set " + a_if + " up",
      "ip -n " + b_ + " link set " + b_if + " up",
      "ip -n " + a_ + " link set lo up",
      "ip -n " + b_ + " link set lo up",
  };
  for (const auto& c : cmds) {
    std::string out;
    if (run(c, &out) != 0) {
      remove();
      throw std::runtime_error(c + ": " + out);
    }
  }
}

NamespacePair::~NamespacePair() {
  remove();
}

void NamespacePair::remove() const {
  // Deleting a namespace destroys the veth end in it, and with it the pair.
  run("ip netns del " + a_ + " 2>/dev/null");
  run("ip netns del " + b_ + " 2>/dev/null");
}

const model::Component* find_component(const model::Snapshot& s, model::ComponentKind kind,
                                       const std::string& id) {
  return s.find(kind, id);
}

double delta_of(const model::Snapshot& s, model::ComponentKind kind, const std::string& id,
                model::MetricId metric) {
  const model::Component* c = s.find(kind, id);
  if (!c) return 0;
  double d = c->delta(metric);
  return std::isnan(d) ? 0 : d;
}

double delta_sum(const std::vector<model::Snapshot>& snaps, model::ComponentKind kind,
                 const std::string& id, model::MetricId metric) {
  double total = 0;
  for (const auto& s : snaps) total += delta_of(s, kind, id, metric);
  return total;
}

}  // namespace kpulse::testing
