// `kpulse tune` against the real host: crash recovery, dry runs that write
// nothing, and a step that does not help being reverted.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "quota_cgroup.h"
#include "test_env.h"
#include "tune_state_test.h"

namespace kpulse::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
const std::string kBin = KPULSE_BINARY;

class TuneTest : public TuneStateTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!have_command("stress-ng")) GTEST_SKIP() << "needs stress-ng";
    make_state_dir("tune-it");
  }
};

TEST_F(TuneTest, KillNineDuringAnExperimentThenRestartPutsTheOriginalBack) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  QuotaCgroup cg("/kp-tune-kill-" + std::to_string(::getpid()), 20000);
  Child load(cg.enter() + "exec stress-ng --cpu 1 --timeout 120", nullptr);
  // A long evaluation window keeps the change on trial when the kill lands.
  Child tuner("exec " + kBin + " tune --apply --state-dir " + state_ +
                  " --interval 0.5 --window 4 --eval-window 600 --min-idle-cpu 0 --tuners "
                  "cpu_quota --scope " +
                  cg.rel() + " >" + state_ + "/log 2>&1",
              nullptr);
  ASSERT_TRUE(wait_until([&] { return cg.quota() != cg.original(); }, 40s))
      << "kpulse never changed the quota:\n"
      << read_trimmed(state_ + "/log");
  std::string tuned = cg.quota();
  ::kill(tuner.pid(), SIGKILL);
  tuner.wait(10s);
  EXPECT_EQ(cg.quota(), tuned) << "kill -9 cannot have restored anything";
  EXPECT_NE(read_trimmed(state_ + "/tune-journal.jsonl").find("\"on_trial\""), std::string::npos);

  // The next start reverts what was on trial before doing anything else.
  std::string out;
  ASSERT_EQ(run(kBin + " tune --apply --duration 1 --interval 0.5 --state-dir " + state_ +
                    " --tuners cpu_quota --scope /kp-nothing-here 2>&1",
                &out),
            0)
      << out;
  EXPECT_EQ(cg.quota(), cg.original()) << out;
  EXPECT_NE(out.find("recovered"), std::string::npos) << out;
  ASSERT_EQ(run(kBin + " tune --status --json --state-dir " + state_, &out), 0);
  EXPECT_TRUE(nlohmann::json::parse(out).empty()) << out;
}

// Every allowlisted knob kpulse could touch on this host, by file.
std::map<std::string, std::string> all_knobs(const std::string& netns) {
  std::map<std::string, std::string> m;
  for (const char* f : {"/proc/sys/net/core/somaxconn", "/proc/sys/net/ipv4/tcp_max_syn_backlog",
                        "/proc/sys/net/ipv4/tcp_rmem", "/proc/sys/net/ipv4/tcp_wmem",
                        "/proc/sys/net/core/rmem_max", "/proc/sys/net/core/wmem_max",
                        "/proc/sys/vm/dirty_background_ratio", "/proc/sys/vm/dirty_ratio"})
    m[f] = read_trimmed(f);
  std::string out;
  run("ip netns exec " + netns +
          " sh -c 'cat /proc/sys/net/core/somaxconn /proc/sys/net/ipv4/tcp_max_syn_backlog "
          "/proc/sys/net/ipv4/tcp_rmem /proc/sys/net/ipv4/tcp_wmem'",
      &out);
  m["netns:" + netns] = out;
  for (auto& d : fs::directory_iterator("/sys/block"))
    for (const char* q : {"read_ahead_kb", "nr_requests", "scheduler"})
      if (fs::exists(d.path() / "queue" / q))
        m[(d.path() / "queue" / q).string()] = read_trimmed((d.path() / "queue" / q).string());
  for (const char* root : {"/sys/fs/cgroup", "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/memory"}) {
    if (!fs::exists(root)) continue;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (it.depth() > 3) it.disable_recursion_pending();
      std::string name = it->path().filename();
      if (name == "cpu.max" || name == "cpu.cfs_quota_us" || name == "cpu.weight" ||
          name == "cpu.shares" || name == "memory.high" || name == "memory.limit_in_bytes")
        m[it->path().string()] = read_trimmed(it->path().string());
    }
  }
  return m;
}

TEST_F(TuneTest, DryRunPrintsThePlanAndWritesNothing) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  QuotaCgroup cg("/kp-tune-dry-" + std::to_string(::getpid()), 20000);
  VethNamespace ns("kptd", "10.213.9.1", "10.213.9.2");
  ns.exec("sysctl -qw net.ipv4.tcp_rmem='4096 4096 4096' net.core.somaxconn=128");
  Child load(cg.enter() + "exec stress-ng --cpu 1 --timeout 60", nullptr);
  std::this_thread::sleep_for(1s);
  auto before = all_knobs(ns.name());
  std::string out;
  ASSERT_EQ(run(kBin + " tune --samples 3 --interval 0.5 --min-idle-cpu 0 --state-dir " + state_ +
                    " 2>&1",
                &out),
            0)
      << out;
  auto after = all_knobs(ns.name());
  EXPECT_NE(out.find("scenario: cpu_throttled_idle_host"), std::string::npos) << out;
  EXPECT_NE(out.find(cg.rel()), std::string::npos) << out;
  EXPECT_NE(out.find("Dry run: nothing was changed"), std::string::npos) << out;
  EXPECT_GT(before.size(), 10u);
  for (auto& [k, v] : before) EXPECT_EQ(after[k], v) << k << " changed by a dry run";
  EXPECT_FALSE(fs::exists(state_ + "/tune-journal.jsonl")) << "a dry run wrote a journal";
}

// Eight CPU-bound threads pinned to one CPU, under a 0.9 CPU quota: the
// quota throttles them in every period, but what they wait for is the one
// CPU they may run on, which no quota governs. Raised to 1.45 CPUs they get
// at most the 0.1 CPU left on that CPU: their CPU wait (about 7.1 s/s, seven
// threads queued behind the running one) can fall by under 3% even if other
// load held them to 0.8 CPU before the raise, while a step must gain 5%.
// kpulse must measure no gain and put the quota back. A large CPU share
// keeps other people's load on that CPU from doing the throttling instead.
TEST_F(TuneTest, AStepThatDoesNotHelpIsReverted) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  QuotaCgroup cg("/kp-tune-rev-" + std::to_string(::getpid()), 90000);
  const std::string share = v2_cpu() ? "/sys/fs/cgroup" + cg.rel() + "/cpu.weight"
                                     : "/sys/fs/cgroup/cpu" + cg.rel() + "/cpu.shares";
  std::ofstream(share) << (v2_cpu() ? "10000" : "262144");
  const std::string cpu = std::to_string(::sysconf(_SC_NPROCESSORS_ONLN) - 1);
  Child load(cg.enter() + "exec taskset -c " + cpu + " stress-ng --cpu 8 --timeout 120", nullptr);
  Child tuner("exec " + kBin + " tune --apply --state-dir " + state_ +
                  " --interval 0.5 --window 6 --min-idle-cpu 0 --cpu-quota-max 2"
                  " --tuners cpu_quota --scope " +
                  cg.rel() + " >" + state_ + "/log 2>&1",
              nullptr);
  ASSERT_TRUE(wait_until(
      [&] {
        std::string log = read_trimmed(state_ + "/log");
        return log.find(" reverted ") != std::string::npos ||
               log.find(" kept ") != std::string::npos;
      },
      60s))
      << read_trimmed(state_ + "/log");
  ::kill(tuner.pid(), SIGINT);
  tuner.wait(10s);
  std::string log = read_trimmed(state_ + "/log");
  EXPECT_NE(log.find(" trial "), std::string::npos) << log;
  EXPECT_NE(log.find("not better"), std::string::npos) << log;
  EXPECT_EQ(log.find(" kept "), std::string::npos) << log;
  EXPECT_EQ(cg.quota(), cg.original()) << log;
  // The journal ends with every change reverted.
  std::map<std::string, std::string> last;
  std::istringstream journal(read_trimmed(state_ + "/tune-journal.jsonl"));
  for (std::string line; std::getline(journal, line);) {
    auto j = nlohmann::json::parse(line);
    last[j["id"]] = j["state"];
  }
  EXPECT_FALSE(last.empty());
  for (const auto& [id, state] : last) EXPECT_EQ(state, "reverted") << id;
}

}  // namespace
}  // namespace kpulse::testing
