// `kpulse run` with the tuner on (tuning.enabled, dry_run = false): a cgroup
// throttled by a low CPU quota gets a higher one, the action is logged and
// exported as a `kpulse.tuning` OTLP log record; kill -9 while the change is
// on trial, and the next start puts the original back before anything else.
// A dry run logs the change it would make and writes nothing.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "otlp_log_receiver.h"
#include "quota_cgroup.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kBin = KPULSE_BINARY;

class DaemonTuning : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!have_command("stress-ng")) GTEST_SKIP() << "needs stress-ng";
    dir_ = fs::temp_directory_path() / ("kpulse_daemon_tuning_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    config_ = dir_ / "kpulse.toml";
  }
  void TearDown() override {
    if (dir_.empty()) return;
    run(kBin + " tune --rollback --state-dir " + dir_.string() + " >/dev/null 2>&1");
    fs::remove_all(dir_);
  }
  void write_config(bool dry_run, const std::string& scope, int otlp_port) {
    std::ofstream out(config_);
    out << "[collection]\ninterval = 0.5\nprobe_groups = [\"sched\"]\n"
        << "[daemon]\nlog_level = \"info\"\nstatus_interval = 0\n"
        << "[state]\ndir = \"" << dir_.string() << "\"\n"
        << "[record]\nenabled = false\n[analytics]\nenabled = false\n"
        << "[otlp]\nenabled = " << (otlp_port > 0 ? "true" : "false")
        << "\nendpoint = \"http://127.0.0.1:" << otlp_port
        << "\"\n"
        // A long evaluation window keeps the change on trial when the kill lands.
        << "[tuning]\nenabled = true\ndry_run = " << (dry_run ? "true" : "false") << "\nscope = \""
        << scope << "\"\nwindow = 4\neval_window = 600\nmin_idle_cpus = 0\n";
  }
  std::string start_command(const std::string& log) const {
    return "exec env -u JOURNAL_STREAM " + kBin + " run --config " + config_.string() + " 2>" + log;
  }
  fs::path dir_, config_;
};

bool wait_until(const std::function<bool()>& cond, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(200ms);
  }
  return cond();
}

TEST_F(DaemonTuning, RaisesAThrottledQuotaExportsItAndAfterKillNineRestoresIt) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  LogReceiver receiver;
  QuotaCgroup cg("/kp-daemon-tune-" + std::to_string(::getpid()), 20000);
  Child load(cg.enter() + "exec stress-ng --cpu 1 --timeout 120 >/dev/null 2>&1", nullptr);
  write_config(false, cg.rel(), receiver.port());
  const std::string log1 = (dir_ / "run1.log").string();
  std::string tuned;
  {
    Child daemon(start_command(log1), nullptr);
    ASSERT_TRUE(wait_until([&] { return cg.quota() != cg.original(); }, 60s))
        << "the daemon never changed the quota:\n"
        << slurp(log1);
    tuned = cg.quota();
    // The action is in the log and reaches the OTLP receiver.
    ASSERT_TRUE(
        wait_until([&] { return !receiver.with("kpulse.tuning.mode", "apply").empty(); }, 20s))
        << slurp(log1);
    const auto records = receiver.with("kpulse.tuning.mode", "apply");
    bool names_the_cgroup = false;
    for (const auto& r : records)
      names_the_cgroup |= r.body().string_value().find(cg.rel()) != std::string::npos;
    EXPECT_TRUE(names_the_cgroup) << records.front().body().string_value();
    EXPECT_NE(slurp(log1).find(cg.rel()), std::string::npos) << slurp(log1);
    ::kill(daemon.pid(), SIGKILL);
    daemon.wait(10s);
  }
  EXPECT_EQ(cg.quota(), tuned) << "kill -9 cannot have restored anything";

  // The next start reverts the change left on trial (the scope now matches
  // nothing, so the tuner itself cannot act again).
  write_config(false, "/kp-nothing-here", 0);
  const std::string log2 = (dir_ / "run2.log").string();
  Child daemon(start_command(log2), nullptr);
  ASSERT_TRUE(wait_for_text(log2, "collecting every", 30s)) << slurp(log2);
  EXPECT_EQ(cg.quota(), cg.original()) << slurp(log2);
  EXPECT_NE(slurp(log2).find("recovery after an unclean stop: 1 restored"), std::string::npos)
      << slurp(log2);
  ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0);
  EXPECT_EQ(daemon.wait(20s), 0) << slurp(log2);
}

TEST_F(DaemonTuning, DryRunLogsTheChangeAndWritesNothing) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  QuotaCgroup cg("/kp-daemon-tune-dry-" + std::to_string(::getpid()), 20000);
  Child load(cg.enter() + "exec stress-ng --cpu 1 --timeout 60 >/dev/null 2>&1", nullptr);
  write_config(true, cg.rel(), 0);
  const std::string log = (dir_ / "dry.log").string();
  Child daemon(start_command(log), nullptr);
  ASSERT_TRUE(wait_for_text(log, "tune (dry run): ", 40s)) << slurp(log);
  EXPECT_NE(slurp(log).find(cg.rel()), std::string::npos) << slurp(log);
  EXPECT_EQ(cg.quota(), cg.original());
  EXPECT_FALSE(fs::exists(dir_ / "tune-journal.jsonl")) << "a dry run journals nothing";
  ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0);
  EXPECT_EQ(daemon.wait(20s), 0) << slurp(log);
}

}  // namespace
}  // namespace kpulse::testing
