// Runs the real kpulse binary the way a user does.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
const std::string kBin = KPULSE_BINARY;

// BPF program ids a process holds open, from its fdinfo (exact even when
// other kpulse processes run on the same machine).
std::set<unsigned> programs_held_by(pid_t pid) {
  std::set<unsigned> ids;
  std::error_code ec;
  for (const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fdinfo", ec)) {
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);)
      if (line.rfind("prog_id:", 0) == 0) ids.insert(std::stoul(line.substr(8)));
  }
  return ids;
}

// Those of `ids` the kernel still has.
std::string still_loaded(const std::set<unsigned>& ids) {
  std::string left;
  for (unsigned id : ids)
    if (run("bpftool prog show id " + std::to_string(id) + " >/dev/null 2>&1") == 0)
      left += std::to_string(id) + " ";
  return left;
}

// Runs kpulse with `args` in the background until it holds probes; returns
// its pid and the program ids it holds.
pid_t start_kpulse(const std::vector<std::string>& args, std::set<unsigned>& ids) {
  pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    std::vector<char*> argv{const_cast<char*>("kpulse")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(kBin.c_str(), argv.data());
    _exit(127);
  }
  // sched, block, net and mem together attach well over 10 programs. Loading
  // takes well under a second natively but tens of seconds under emulation
  // (vmtest/run with TCG), so the wait is generous; timed parts start later.
  for (int i = 0; i < 1200 && ids.size() < 10; ++i) {
    std::this_thread::sleep_for(50ms);
    ids = programs_held_by(pid);
  }
  return pid;
}

// The kernel frees detached programs after an RCU grace period, so give it
// a moment before calling anything a leftover.
std::string leftovers_after_grace(const std::set<unsigned>& ids) {
  std::string left;
  for (int i = 0; i < 60; ++i) {
    left = still_loaded(ids);
    if (left.empty()) break;
    std::this_thread::sleep_for(50ms);
  }
  return left;
}

TEST(Cli, SnapshotJsonFollowsTheSchema) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  std::string out;
  ASSERT_EQ(run(kBin + " snapshot --json --interval 0.5 2>/dev/null", &out), 0) << out;
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["schema"], "kpulse.snapshot/v2");
  EXPECT_GT(j["interval_s"].get<double>(), 0.4);
  int cpus = 0, hosts = 0, cgroups = 0;
  for (const auto& c : j["components"]) {
    cpus += c["kind"] == "cpu";
    hosts += c["kind"] == "host";
    cgroups += c["kind"] == "cgroup";
  }
  EXPECT_EQ(hosts, 1);
  EXPECT_EQ(cpus, int(std::thread::hardware_concurrency()));
  EXPECT_GE(cgroups, 1);
  const auto& host = *std::find_if(j["components"].begin(), j["components"].end(),
                                   [](const auto& c) { return c["kind"] == "host"; });
  EXPECT_GT(host["metrics"]["memory.total"]["value"].get<double>(), 0);
  EXPECT_TRUE(host["histograms"].contains("sched.runq_latency"));
}

TEST(Cli, NothingOfKpulseStaysInTheKernelAfterExit) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("bpftool"));
  std::set<unsigned> ids;
  pid_t pid = start_kpulse({"snapshot", "--interval", "1"}, ids);
  ASSERT_GE(ids.size(), 10u) << "probes never attached";
  EXPECT_NE(still_loaded(ids), "");  // loaded while it runs
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(leftovers_after_grace(ids), "");
}

TEST(Cli, SigintDetachesCleanlyAndQuickly) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  std::set<unsigned> ids;
  pid_t pid = start_kpulse({"snapshot", "--interval", "30"}, ids);
  ASSERT_GE(ids.size(), 10u) << "probes never attached";
  auto t0 = std::chrono::steady_clock::now();
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, scaled(3s));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_EQ(leftovers_after_grace(ids), "");
}

TEST(Cli, UnknownFlagPrintsUsageAndFails) {
  std::string out;
  EXPECT_NE(run(kBin + " snapshot --bogus-flag", &out), 0);
  EXPECT_NE(out.find("bogus-flag"), std::string::npos) << out;
  EXPECT_NE(run(kBin + " no-such-command", &out), 0);
  EXPECT_EQ(run(kBin + " --help", &out), 0);
  for (const char* cmd : {"snapshot", "probes", "metrics"})
    EXPECT_NE(out.find(cmd), std::string::npos) << cmd << " missing from --help";
}

// Short of file descriptors, groups fail to load and the rest run: kpulse
// must say so and never crash. The count of possible CPUs needs a file too;
// its fallback of 1 let the kernel write two CPUs' values into one-CPU
// buffers (heap corruption: `kpulse probes` aborted in malloc at some limits).
TEST(Cli, RunningOutOfFileDescriptorsNeverCrashes) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  for (int limit = 40; limit <= 110; limit += 5) {
    for (const char* cmd : {" probes", " snapshot --interval 0.3"}) {
      std::string out;
      const int rc = run("ulimit -n " + std::to_string(limit) + "; exec " + kBin + cmd, &out);
      // 0: all loaded; 1: nothing could run; 3: a group inactive (probes).
      EXPECT_TRUE(rc == 0 || rc == 1 || rc == 3)
          << "ulimit -n " << limit << cmd << ": exit " << rc << "\n"
          << out.substr(out.size() > 1500 ? out.size() - 1500 : 0);
    }
  }
}

// Root without CAP_BPF (a container, a bounding set) got libbpf's noise about
// CONFIG_BPF_SYSCALL and RLIMIT_MEMLOCK, and exit 0 with no BPF data.
TEST(Cli, RootWithoutCapBpfIsToldWhatIsMissing) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  ASSERT_TRUE(have_command("setpriv"));
  const std::string drop = "setpriv --inh-caps=-bpf,-sys_admin --bounding-set=-bpf,-sys_admin ";
  std::string out;
  EXPECT_EQ(run(drop + kBin + " snapshot --interval 0.2 2>&1", &out), 1) << out;
  EXPECT_NE(out.find("running as root without CAP_BPF"), std::string::npos) << out;
  EXPECT_EQ(out.find("libbpf"), std::string::npos) << out;
}

TEST(Cli, UnprivilegedUserIsToldWhatIsMissing) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to an unprivileged user";
  ASSERT_TRUE(have_command("setpriv"));
  const std::string drop =
      "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all ";
  std::string out;
  EXPECT_EQ(run(drop + kBin + " snapshot --interval 0.2", &out), 1) << out;
  EXPECT_NE(out.find("CAP_BPF"), std::string::npos) << out;
  EXPECT_NE(out.find("--no-bpf"), std::string::npos) << out;
  // Without BPF, the kernel-kept half still works for anyone.
  EXPECT_EQ(run(drop + kBin + " snapshot --no-bpf --interval 0.2", &out), 0) << out;
  EXPECT_NE(out.find("Disks"), std::string::npos) << out;
}

// A kernel without BTF (no CONFIG_DEBUG_INFO_BTF) said "cannot load kernel
// BTF (/sys/kernel/btf/vmlinux): No such process" (libbpf's ESRCH), after a
// raw libbpf line, and named no way on. An empty tmpfs over /sys/kernel/btf,
// in a mount namespace of the command's own, hides the kernel's.
TEST(Cli, WithoutKernelBtfTheErrorSaysSoAndNoBpfStillWorks) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to mount in a mount namespace";
  ASSERT_TRUE(have_command("unshare"));
  auto without_btf = [](const std::string& args) {
    return "unshare --mount --propagation private sh -c 'mount -t tmpfs none /sys/kernel/btf && "
           "exec " +
           kBin + " " + args + " 2>&1'";
  };
  std::string out;
  const int status = run(without_btf("snapshot --interval 0.2"), &out);
  if (status == 0) GTEST_SKIP() << "libbpf found the kernel's BTF elsewhere (/boot, /lib/modules)";
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("/sys/kernel/btf/vmlinux does not exist"), std::string::npos) << out;
  EXPECT_NE(out.find("CONFIG_DEBUG_INFO_BTF"), std::string::npos) << out;
  EXPECT_NE(out.find("--no-bpf"), std::string::npos) << out;
  EXPECT_EQ(out.find("No such process"), std::string::npos) << out;
  EXPECT_EQ(out.find("libbpf"), std::string::npos) << out;
  EXPECT_EQ(run(without_btf("snapshot --no-bpf --interval 0.2"), &out), 0) << out;
  EXPECT_NE(out.find("Disks"), std::string::npos) << out;
}

}  // namespace
}  // namespace kpulse::testing
