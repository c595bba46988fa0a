// `kpulse analyze` live, run the way a user does: the JSON report's shape and
// a scoped run that sees an injected I/O storm end to end.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_env.h"

namespace kpulse::testing {
namespace {

const std::string kBin = KPULSE_BINARY;

TEST(AnalyticsCli, LiveJsonReportHasEverySection) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  std::string out;
  ASSERT_EQ(run(kBin + " analyze --duration 3 --json 2>/dev/null", &out), 0) << out;
  auto j = nlohmann::json::parse(out);
  for (const char* key : {"bottlenecks", "alerts", "alert_history", "patterns", "recommendations",
                          "forecasts", "use"})
    EXPECT_TRUE(j.at(key).is_array()) << key;
  EXPECT_GE(j.at("duration_s").get<double>(), 3.0);
  // Three intervals are enough for USE rows, the host's among them.
  bool host_cpu = false;
  for (const auto& row : j["use"])
    host_cpu |= row["component"] == "host:host" && row["resource"] == "cpu";
  EXPECT_TRUE(host_cpu);
}

TEST(AnalyticsCli, AnomalyScoresWithoutSeriesIsAClearError) {
  std::string out;
  EXPECT_NE(run(kBin + " analyze --anomaly-scores 2>&1", &out), 0);
  EXPECT_NE(out.find("--series"), std::string::npos) << out;
}

TEST(AnalyticsCli, ScopedLiveRunReportsTheStormAndTheCulprit) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("fio"));
  LoopDevice loop(256);
  TestCgroup storm("cli-storm");
  // The storm starts after the detectors' 20-interval history; the run lasts 35 s.
  Child fio("sleep 24; fio --name=s --filename=" + loop.device() +
                " --direct=1 --rw=randwrite --bs=4k --iodepth=32 --ioengine=libaio"
                " --time_based --runtime=20 >/dev/null 2>&1",
            &storm);
  std::string out;
  ASSERT_EQ(run(kBin + " analyze --duration 35 --json --scope disk:" + loop.name() + " 2>/dev/null",
                &out),
            0);
  auto j = nlohmann::json::parse(out);
  bool fired = false;
  for (const auto& a : j["alert_history"])
    if (a["state"] == "firing" && a["rule"] == "disk-saturation") {
      fired = true;
      EXPECT_EQ(a["component"], "disk:" + loop.name());
      EXPECT_FALSE(a["evidence"].empty());
    }
  EXPECT_TRUE(fired) << j["alert_history"].dump(1);
  // Still firing at the end, by then with a full interval of the culprit's I/O.
  bool active = false;
  for (const auto& a : j["alerts"])
    if (a["rule"] == "disk-saturation") {
      active = true;
      EXPECT_EQ(a["cause"], "cgroup:" + storm.path());
    }
  EXPECT_TRUE(active) << j["alerts"].dump(1);
}

}  // namespace
}  // namespace kpulse::testing
