// Runs the real kpulse binary the way a user does.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
const std::string kBin = KPULSE_BINARY;

// Programs and links of ours still in the kernel (names start with "kp_").
std::string leftover_programs() {
  std::string out;
  run("bpftool prog show 2>/dev/null | grep -E 'name kp_' || true", &out);
  return out;
}

// The kernel frees detached programs after an RCU grace period, so give it
// a moment before calling anything a leftover.
std::string leftovers_after_grace() {
  std::string left;
  for (int i = 0; i < 60; ++i) {
    left = leftover_programs();
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
  EXPECT_EQ(j["schema"], "kpulse.snapshot/v1");
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
  ASSERT_EQ(leftovers_after_grace(), "") << "programs left by an earlier run";
  std::string out;
  ASSERT_EQ(run(kBin + " snapshot --interval 0.3 >/dev/null", &out), 0) << out;
  EXPECT_EQ(leftovers_after_grace(), "");
}

TEST(Cli, SigintDetachesCleanlyAndQuickly) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_EQ(leftovers_after_grace(), "");
  pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    execl(kBin.c_str(), "kpulse", "snapshot", "--interval", "30", (char*)nullptr);
    _exit(127);
  }
  // Wait until the probes are attached, then interrupt. Loading takes well
  // under a second natively but tens of seconds under emulation (vmtest/run
  // with TCG), so the wait is generous; the timed part starts at SIGINT.
  for (int i = 0; i < 1200 && leftover_programs().empty(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_NE(leftover_programs(), "") << "probes never attached";
  auto t0 = std::chrono::steady_clock::now();
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, scaled(3s));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_EQ(leftovers_after_grace(), "");
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

}  // namespace
}  // namespace kpulse::testing
