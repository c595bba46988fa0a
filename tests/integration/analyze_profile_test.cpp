// Live `kpulse analyze --profile`: the report names the function a busy
// cgroup spends its CPU in, sampled during the run (the known-hot-functions
// workload: hot_alpha does twice the work of hot_beta).
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;

TEST(AnalyzeProfile, LiveAnalyzeNamesTheHotFunctionOfABusyCgroup) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  TestCgroup cg("kpulse-analyze-prof");
  Child child(std::string("exec ") + KPULSE_PROFILE_WORKLOAD + " cpu 60", &cg);
  std::this_thread::sleep_for(300ms);
  std::string out;
  // --scope keeps the other engineers' busy cgroups out of the top five.
  const int rc =
      run(std::string(KPULSE_BINARY) +
              " analyze --duration 8 --json --history '' --profile --scope cgroup:" + cg.path() +
              " 2>/dev/null",
          &out);
  cg.kill_all();
  ASSERT_EQ(rc, 0) << out;
  const auto doc = nlohmann::json::parse(out);
  ASSERT_TRUE(doc.contains("cpu_profile")) << out;
  const auto& cp = doc["cpu_profile"];
  EXPECT_EQ(cp["source"], "sampled during this run");
  const nlohmann::json* ours = nullptr;
  for (const auto& c : cp["cgroups"])
    if (c["cgroup"] == cg.path()) ours = &c;
  ASSERT_NE(ours, nullptr) << cp.dump(2);
  EXPECT_EQ((*ours)["function"], "hot_alpha") << ours->dump();
  // Two thirds of its samples in theory; a busy host's interrupts take some.
  EXPECT_GE((*ours)["share"].get<double>(), 0.5) << ours->dump();
  EXPECT_GE((*ours)["cgroup_samples"].get<int>(), 50) << ours->dump();
}

TEST(AnalyzeProfile, ProfileWithARecordingIsAUsageError) {
  std::string out;
  EXPECT_EQ(
      run(std::string(KPULSE_BINARY) + " analyze --recording /nonexistent --profile 2>&1", &out), 2)
      << out;
}

}  // namespace
}  // namespace kpulse::testing
