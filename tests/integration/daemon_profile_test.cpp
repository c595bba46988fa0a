// Continuous profiling in `kpulse run` ([profile]): a workload with two
// known hot functions in its own cgroup; the daemon keeps its stacks in the
// recording, and `analyze --recording` and `report` name the hot function.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "record/stack_log.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kBin = KPULSE_BINARY;

std::string user_leaf(const profile::StackSample& s) {
  for (auto it = s.frames.rbegin(); it != s.frames.rend(); ++it)
    if (!it->kernel) return it->function;
  return "";
}

// The CapEff line of a /proc status file.
std::string cap_eff(const std::string& status) {
  std::ifstream in(status);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("CapEff:", 0) == 0) return line;
  return "";
}

TEST(DaemonProfile, RecordedStacksNameTheHotFunctionsInAnalyzeAndReport) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  const fs::path dir =
      fs::temp_directory_path() / ("kpulse_daemon_profile_" + std::to_string(getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{dir};
  const fs::path config = dir / "kpulse.toml";
  {
    std::ofstream out(config);
    out << "[collection]\ninterval = 0.5\n"
        << "[daemon]\nlog_level = \"info\"\nstatus_interval = 0\n"
        << "[state]\ndir = \"" << dir.string() << "\"\n"
        << "[record]\nenabled = true\n"
        << "[analytics]\nenabled = false\n"
        // Faster than the default 19 Hz so a few seconds give enough samples
        // on a busy machine; windows short enough for two in the test.
        << "[profile]\nenabled = true\nfrequency = 199\nwindow = 5\n";
  }
  const std::string log = (dir / "stderr.log").string();
  Child daemon(
      "exec env -u JOURNAL_STREAM " + kBin + " run --config " + config.string() + " 2>" + log,
      nullptr);
  ASSERT_TRUE(wait_for_text(log, "probe group profile: active", 120s)) << slurp(log);
  ASSERT_TRUE(wait_for_text(log, "collecting every", 60s)) << slurp(log);
  // Capabilities are per thread: the profiler's drain thread must hold no
  // more than the daemon kept after attaching.
  const std::string proc = "/proc/" + std::to_string(daemon.pid());
  bool found = false;
  for (const auto& t : fs::directory_iterator(proc + "/task"))
    if (slurp((t.path() / "comm").string()).rfind("kpulse-profile", 0) == 0) {
      found = true;
      EXPECT_EQ(cap_eff((t.path() / "status").string()), cap_eff(proc + "/status"));
    }
  EXPECT_TRUE(found) << "no kpulse-profile thread";
  // Started once the daemon runs (they would slow its start). Three spinners on this 2-CPU machine:
  // the cgroup saturates its share of the CPUs, a cpu-saturation alert with the cgroup as its
  // cause.
  TestCgroup cg("kpulse-dprof");
  std::vector<std::unique_ptr<Child>> workload;
  std::set<uint32_t> pids;
  for (int i = 0; i < 3; ++i) {
    workload.push_back(
        std::make_unique<Child>(std::string("exec ") + KPULSE_PROFILE_WORKLOAD + " cpu 60", &cg));
    pids.insert(static_cast<uint32_t>(workload.back()->pid()));
  }
  std::this_thread::sleep_for(12s);
  ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0);
  ASSERT_EQ(daemon.wait(30s), 0) << slurp(log);
  cg.kill_all();

  const fs::path rec = dir / "recordings";
  record::RecordedProfile r = record::read_stack_log(rec, INT64_MIN, INT64_MAX);
  EXPECT_GE(r.windows, 2u) << slurp(log);
  EXPECT_EQ(r.bad_lines, 0u);
  uint64_t alpha = 0, beta = 0;
  for (const auto& s : r.profile.samples) {
    if (s.cgroup != cg.path()) continue;
    EXPECT_TRUE(pids.count(s.pid)) << s.pid << " " << s.comm;
    if (user_leaf(s) == "hot_alpha") alpha += s.count;
    if (user_leaf(s) == "hot_beta") beta += s.count;
  }
  const uint64_t of_cgroup = r.cgroup_samples[cg.path()];
  ASSERT_GE(of_cgroup, 100u) << "too few samples of the workload to judge";
  EXPECT_GE(double(alpha + beta) / of_cgroup, 0.90)
      << alpha << " + " << beta << " of " << of_cgroup;
  EXPECT_NEAR(double(alpha) / (alpha + beta), 2.0 / 3.0, 0.10) << alpha << " vs " << beta;

  // analyze: the cgroup's CPU went mostly to hot_alpha, in the workload binary.
  std::string out;
  ASSERT_EQ(run(kBin + " analyze --recording " + dir.string() + " --json 2>/dev/null", &out), 0)
      << out;
  auto j = nlohmann::json::parse(out);
  bool named = false;
  for (const auto& c : j["cpu_profile"]["cgroups"])
    if (c["cgroup"] == cg.path()) {
      named = true;
      EXPECT_EQ(c["function"], "hot_alpha") << c.dump();
      EXPECT_NEAR(c["share"].get<double>(), 2.0 / 3.0, 0.15) << c.dump();
      EXPECT_NE(c["module"].get<std::string>().find("profile_workload"), std::string::npos);
    }
  EXPECT_TRUE(named) << j["cpu_profile"].dump(1);
  // Every CPU alert whose cause is a cgroup gets the cause's profile over
  // the incident (the cause is whatever used most CPU then: on a shared
  // machine often the root cgroup's compilers rather than the workload).
  std::set<std::string> causes, profiled;
  for (const auto& a : j["alerts"])
    if (a["resource"] == "cpu" && a["cause"].get<std::string>().rfind("cgroup:", 0) == 0)
      causes.insert(a["cause"].get<std::string>().substr(7));
  for (const auto& a : j["cpu_profile"]["alerts"]) {
    profiled.insert(a["hot"]["cgroup"].get<std::string>());
    EXPECT_FALSE(a["stacks"].empty()) << a.dump();
    if (a["hot"]["cgroup"] == cg.path()) {
      EXPECT_EQ(a["hot"]["function"], "hot_alpha") << a.dump();
      EXPECT_NE(a["stacks"][0]["stack"].get<std::string>().find(";main;hot_"), std::string::npos)
          << a.dump();
    }
  }
  EXPECT_FALSE(causes.empty()) << "three spinners on two CPUs raised no CPU alert: "
                               << j["alerts"].dump(1);
  EXPECT_EQ(profiled, causes) << j["cpu_profile"].dump(1);
  ASSERT_EQ(run(kBin + " analyze --recording " + dir.string() + " 2>/dev/null", &out), 0) << out;
  EXPECT_NE(out.find("cgroup " + cg.path() + ": "), std::string::npos) << out;

  // report: the same in the CPU profile section.
  const std::string html = (dir / "report.html").string();
  ASSERT_EQ(run(kBin + " report " + dir.string() + " -o " + html + " 2>/dev/null", &out), 0) << out;
  const std::string page = slurp(html);
  EXPECT_NE(page.find("CPU profile (recorded stacks)"), std::string::npos);
  EXPECT_NE(page.find("of its CPU in hot_alpha"), std::string::npos);
  // Its CPU alerts' causes, with their stacks during the incident.
  if (page.find("cpu-saturation on") != std::string::npos) {
    EXPECT_NE(page.find("<td>alert cpu-saturation"), std::string::npos);
  }
}

}  // namespace
}  // namespace kpulse::testing
