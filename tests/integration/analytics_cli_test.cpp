// `kpulse analyze` live, run the way a user does: the JSON report's shape and
// a scoped run that sees an injected I/O storm end to end.
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/collector.h"
#include "record/recorder.h"
#include "tests/support/synthetic_source.h"
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
  LoopDevice loop(256, /*direct_io=*/true);
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

// Records `intervals` 1 s snapshots into `dir`, starting a random-write
// storm of `storm_s` seconds on `loop` from `storm` at interval 24 (after the
// detectors' history); returns each snapshot's time.
std::vector<int64_t> record_storm(const std::filesystem::path& dir, const LoopDevice& loop,
                                  const TestCgroup& storm, int intervals, int storm_s) {
  std::vector<int64_t> times;
  engine::CollectorOptions o;
  o.interval = std::chrono::milliseconds(1000);
  engine::Collector collector(o);
  record::RecorderOptions ro;
  ro.dir = dir;
  ro.frames_per_block = 4;
  record::Recorder rec(ro);
  std::unique_ptr<Child> fio;
  for (int i = 0; i < intervals; ++i) {
    if (i == 24)
      fio = std::make_unique<Child>(
          "fio --name=s --filename=" + loop.device() +
              " --direct=1 --rw=randwrite --bs=4k --iodepth=32 --ioengine=libaio"
              " --time_based --runtime=" +
              std::to_string(storm_s) + " >/dev/null 2>&1",
          &storm);
    auto snap = collector.next();
    times.push_back(snap.time_ns);
    rec.append(snap);
  }
  return times;
}

// A recording with an incident, analysed from a moment inside it: the
// detectors are warmed from the recorded past, so the alert that was live
// then is there from the first interval shown, with its firing time before it.
TEST(AnalyticsCli, RecordingAnalysisFromInsideAnIncidentShowsItsAlert) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("fio"));
  LoopDevice loop(256, /*direct_io=*/true);
  TestCgroup storm("warm-storm");
  std::string tmpl = "/tmp/kpulse-warm-" + std::to_string(getpid()) + "-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(tmpl.data());
  const std::vector<int64_t> times = record_storm(dir, loop, storm, 30, 60);
  // One interval inside the storm (a loaded host stretches intervals: the
  // storm outlasts the recording whatever they take).
  const int64_t at = times[28];
  char when[48];
  std::snprintf(when, sizeof when, "%lld.%09lld", static_cast<long long>(at / 1'000'000'000),
                static_cast<long long>(at % 1'000'000'000));
  std::string out;
  const int status =
      run(kBin + " analyze --recording " + dir.string() + " --from " + when + " --to " + when +
              " --json --scope disk:" + loop.name() + " 2>/dev/null",
          &out);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(status, 0) << out;
  auto j = nlohmann::json::parse(out);
  bool live_before = false;
  for (const auto& a : j["alerts"])
    if (a["rule"] == "disk-saturation" && a["state"] == "firing")
      live_before |= a["firing_ns"].get<int64_t>() < at;
  EXPECT_TRUE(live_before) << j["alerts"].dump(1);
}

// A recording whose incident ended before its last interval: the report
// lists what was recommended while the alert fired, not only the last
// interval's (none: by then the storm was over). Seen live (judge16's
// memlimit scenario): a run that alerted throughout ended with no
// recommendation because its final interval happened to have no bottleneck.
TEST(AnalyticsCli, ARecommendationMadeDuringTheRunOutlivesItsIncident) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("fio"));
  LoopDevice loop(256, /*direct_io=*/true);
  TestCgroup storm("ended-storm");
  std::string tmpl = "/tmp/kpulse-ended-" + std::to_string(getpid()) + "-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(tmpl.data());
  record_storm(dir, loop, storm, 40, 8);
  std::string out;
  const int status = run(kBin + " analyze --recording " + dir.string() +
                             " --json --scope disk:" + loop.name() + " 2>/dev/null",
                         &out);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(status, 0) << out;
  auto j = nlohmann::json::parse(out);
  bool fired = false;
  for (const auto& a : j["alert_history"])
    fired |= a["rule"] == "disk-saturation" && a["state"] == "firing";
  ASSERT_TRUE(fired) << j["alert_history"].dump(1);
  bool storm_still_on = false;
  for (const auto& a : j["alerts"]) storm_still_on |= a["rule"] == "disk-saturation";
  if (storm_still_on) GTEST_SKIP() << "the storm outlasted the recording on this loaded host";
  bool recommended = false;
  for (const auto& r : j["recommendations"])
    recommended |= r["bottleneck_id"].get<std::string>().starts_with("disk-saturation:");
  EXPECT_TRUE(recommended) << j["recommendations"].dump(1);
}

// Process names and cgroup paths are any user's to choose: one holding an
// escape sequence and a newline reached the terminal of whoever ran `kpulse
// analyze` as it was (seen with a process named "\e[31mEVIL\nX" as a CPU
// alert's top consumer). The text report shows control characters as '?'.
TEST(AnalyticsCli, HostileNamesInARecordingReachTheTextReportAsPlainText) {
  const std::string hostile = "/user.slice/\x1b[2J\n<0>forged";
  std::string tmpl = "/tmp/kpulse-hostile-" + std::to_string(getpid()) + "-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(tmpl.data());
  {
    synthetic::SyntheticOptions so;
    so.cgroups = 6;
    so.processes = 6;
    synthetic::SyntheticSource source(so);
    record::RecorderOptions ro;
    ro.dir = dir;
    record::Recorder rec(ro);
    for (uint64_t seq = 0; seq < 60; ++seq) {
      model::Snapshot snap = source.at(seq);
      for (auto& c : snap.components) {
        if (c.kind == model::ComponentKind::Cgroup && c.parent == "/user.slice") c.id = hostile;
        if (c.kind == model::ComponentKind::Process) {
          c.name = "\x1b[31mEVIL\n<0>forged";
          if (c.parent.rfind("/user.slice/", 0) == 0) c.parent = hostile;
        }
      }
      rec.append(snap);
    }
  }
  std::string out;
  const int status = run(kBin + " analyze --recording " + dir.string() + " 2>/dev/null", &out);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("forged"), std::string::npos) << "the names are shown:\n" << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find("\n<0>forged"), std::string::npos) << out;
}

}  // namespace
}  // namespace kpulse::testing
