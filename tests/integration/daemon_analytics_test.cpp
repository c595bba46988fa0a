// `kpulse run` with analytics on: a CPU hog starves a service in another
// cgroup, the daemon's analyzer fires cpu-saturation on the service, the
// alert goes to the daemon's log and, as an OTLP log record, to a receiver
// this test runs; after a restart the forecaster is warmed from the
// recording the first run wrote.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include "otlp_log_receiver.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kBin = KPULSE_BINARY;

class DaemonAnalytics : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpulse_daemon_analytics_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    config_ = dir_ / "kpulse.toml";
    log_ = dir_ / "stderr.log";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write_config(int otlp_port) {
    std::ofstream out(config_);
    out << "[collection]\ninterval = 1\nprobe_groups = [\"sched\"]\n"
        << "[daemon]\nlog_level = \"info\"\nstatus_interval = 0\n"
        << "[state]\ndir = \"" << dir_.string() << "\"\n"
        << "[record]\nenabled = true\n"
        << "[otlp]\nenabled = true\nendpoint = \"http://127.0.0.1:" << otlp_port << "\"\n"
        << "[analytics]\nenabled = true\n";
  }
  std::string start_command(const std::string& log) const {
    return "exec env -u JOURNAL_STREAM " + kBin + " run --config " + config_.string() + " 2>" + log;
  }
  fs::path dir_, config_, log_;
};

TEST_F(DaemonAnalytics, CpuHogAlertReachesTheLogAndOtlpAndHistorySurvivesARestart) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  // vmtest/run leaves this test out: under TCG the service's PSI is too noisy to hold.
  if (!have_command("stress-ng")) GTEST_SKIP() << "needs stress-ng";
  LogReceiver receiver;
  ASSERT_GT(receiver.port(), 0);
  write_config(receiver.port());
  TestCgroup victim("victim"), hog("hog");
  Child service("stress-ng --cpu 2 --cpu-load 20 --timeout 150 >/dev/null 2>&1", &victim);
  const std::string victim_key = "cgroup:" + victim.path();
  double first_run_s = 0;
  {
    Child daemon(start_command(log_.string()), nullptr);
    ASSERT_TRUE(wait_for_text(log_.string(), "collecting every", 30s)) << slurp(log_.string());
    const auto started = std::chrono::steady_clock::now();
    // The detectors learn the quiet baseline first (25 intervals).
    std::this_thread::sleep_for(30s);
    Child hogs("stress-ng --cpu 24 --timeout 60 >/dev/null 2>&1", &hog);
    const auto deadline = std::chrono::steady_clock::now() + 40s;
    std::vector<opentelemetry::proto::logs::v1::LogRecord> fired;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& r : receiver.with("kpulse.component", victim_key))
        if (LogReceiver::attribute(r, "kpulse.alert.rule") == "cpu-saturation" &&
            LogReceiver::attribute(r, "kpulse.alert.state") == "firing")
          fired.push_back(r);
      if (!fired.empty()) break;
      std::this_thread::sleep_for(200ms);
    }
    ASSERT_FALSE(fired.empty()) << "no cpu-saturation log record for " << victim_key << "\n"
                                << slurp(log_.string());
    const auto& rec = fired.front();
    EXPECT_GE(rec.severity_number(), 13) << "WARN or above";  // SEVERITY_NUMBER_WARN = 13
    EXPECT_NE(rec.body().string_value().find("firing"), std::string::npos);
    EXPECT_FALSE(LogReceiver::attribute(rec, "kpulse.alert.id").empty());
    EXPECT_GT(rec.time_unix_nano(), 0u);
    // The same transition in the daemon's own log.
    const std::string log = slurp(log_.string());
    EXPECT_NE(log.find("alert firing:"), std::string::npos) << log;
    EXPECT_NE(log.find(victim.path()), std::string::npos) << log;
    // Long enough for the workload classifier to label the hog (15 intervals).
    std::this_thread::sleep_for(20s);
    hogs.wait(1s);
    first_run_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ASSERT_EQ(kill(daemon.pid(), SIGTERM), 0);
    EXPECT_EQ(daemon.wait(20s), 0) << slurp(log_.string());
  }
  // A restart reads back what the first run recorded: one snapshot a second
  // (the recorder may still have held its last few when it was stopped).
  const std::string log2 = (dir_ / "stderr2.log").string();
  Child daemon(start_command(log2), nullptr);
  ASSERT_TRUE(wait_for_text(log2, "recorded snapshots", 30s)) << slurp(log2);
  const std::string text = slurp(log2);
  const auto at = text.find("analytics: loaded ");
  ASSERT_NE(at, std::string::npos) << text;
  const long loaded = std::stol(text.substr(at + std::string("analytics: loaded ").size()));
  EXPECT_GE(loaded, first_run_s - 3) << text;
  EXPECT_LE(loaded, first_run_s + 3) << text;
  ASSERT_EQ(kill(daemon.pid(), SIGTERM), 0);
  EXPECT_EQ(daemon.wait(20s), 0) << slurp(log2);

  // The report over the recording replays the analytics: the same alert is
  // on its timeline, with the hog's cgroup among the patterns.
  const std::string html_path = (dir_ / "report.html").string();
  std::string out;
  ASSERT_EQ(run(kBin + " report " + (dir_ / "recordings").string() + " -o " + html_path, &out), 0)
      << out;
  const std::string html = slurp(html_path);
  const auto alerts_at = html.find("<section id=\"alerts\">");
  const auto patterns_at = html.find("<section id=\"patterns\">");
  ASSERT_NE(alerts_at, std::string::npos);
  ASSERT_NE(patterns_at, std::string::npos);
  const std::string alerts = html.substr(alerts_at, patterns_at - alerts_at);
  EXPECT_NE(alerts.find(victim.path()), std::string::npos) << alerts;
  EXPECT_NE(alerts.find("analytics"), std::string::npos) << alerts;
  EXPECT_NE(html.find("cgroup:" + hog.path() + ": cpu-bound for ", patterns_at), std::string::npos)
      << html.substr(patterns_at, 3000);
}

}  // namespace
}  // namespace kpulse::testing
