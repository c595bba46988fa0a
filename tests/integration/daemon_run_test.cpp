// `kpulse run` as a process: starts, drops to the expected capabilities,
// reloads on SIGHUP (live options applied, the others reported), stops
// cleanly on SIGTERM with its BPF programs gone.
#include <signal.h>
#include <sys/capability.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kBin = KPULSE_BINARY;

std::string slurp(const fs::path& p) {
  return testing::slurp(p.string());
}

bool wait_for(const fs::path& log, const std::string& text, std::chrono::seconds timeout) {
  return wait_for_text(log.string(), text, timeout);
}

uint64_t status_mask(const std::string& status_file, const std::string& field) {
  std::ifstream in(status_file);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0)
      return std::stoull(line.substr(field.size() + 1), nullptr, 16);
  return ~0ull;
}

uint64_t status_mask(pid_t pid, const std::string& field) {
  return status_mask("/proc/" + std::to_string(pid) + "/status", field);
}

class DaemonRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpulse_daemon_run_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    config_ = dir_ / "kpulse.toml";
    log_ = dir_ / "stderr.log";
    write_config("info");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write_config(const std::string& level, double interval = 0.3) {
    std::ofstream out(config_);
    out << "[collection]\ninterval = " << interval << "\nprobe_groups = [\"sched\"]\n"
        << "[daemon]\nlog_level = \"" << level << "\"\nstatus_interval = 0\n"
        << "[state]\ndir = \"" << dir_.string() << "\"\n"
        << "[record]\nenabled = false\n[analytics]\nenabled = false\n";
  }
  std::string start_command() const {
    return "exec env -u JOURNAL_STREAM " + kBin + " run --config " + config_.string() + " 2>" +
           log_.string();
  }
  fs::path dir_, config_, log_;
};

TEST_F(DaemonRun, KeepsOnlyTheNeededCapabilitiesReloadsAndStops) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  Child daemon(start_command(), nullptr);
  ASSERT_TRUE(wait_for(log_, "collecting every", 30s)) << slurp(log_);
  EXPECT_NE(slurp(log_).find("probe group sched: active"), std::string::npos) << slurp(log_);

  const uint64_t expected = (1ull << CAP_DAC_READ_SEARCH) | (1ull << CAP_SYS_PTRACE);
  EXPECT_EQ(status_mask(daemon.pid(), "CapEff"), expected) << slurp(log_);
  EXPECT_EQ(status_mask(daemon.pid(), "CapPrm"), expected);
  EXPECT_EQ(status_mask(daemon.pid(), "CapBnd"), expected);
  EXPECT_EQ(status_mask(daemon.pid(), "CapInh"), 0u);
  // Capabilities are per thread, and the drop is the main thread's: a
  // thread started before it (the exit-event reader) kept every capability.
  const std::string tasks = "/proc/" + std::to_string(daemon.pid()) + "/task";
  for (const auto& t : fs::directory_iterator(tasks)) {
    const std::string status = (t.path() / "status").string();
    const uint64_t eff = status_mask(status, "CapEff"), prm = status_mask(status, "CapPrm");
    if (eff == ~0ull) continue;  // the thread ended meanwhile
    EXPECT_EQ(eff & ~expected, 0u) << "thread " << slurp((t.path() / "comm").string());
    EXPECT_EQ(prm & ~expected, 0u) << "thread " << slurp((t.path() / "comm").string());
  }
  EXPECT_NE(slurp(log_).find("capabilities after start: cap_dac_read_search,cap_sys_ptrace=ep"),
            std::string::npos)
      << slurp(log_);

  // A live option and a restart-only one change together.
  write_config("debug", 0.5);
  ASSERT_EQ(kill(daemon.pid(), SIGHUP), 0);
  ASSERT_TRUE(wait_for(log_, "configuration reloaded", 10s)) << slurp(log_);
  std::string log = slurp(log_);
  EXPECT_NE(log.find("applied: daemon.log_level"), std::string::npos) << log;
  EXPECT_NE(log.find("only applied after a restart: collection.interval"), std::string::npos)
      << log;

  // A broken file is reported with its line and the daemon keeps running.
  {
    std::ofstream out(config_);
    out << "[daemon]\nlog_level = 3\n";
  }
  ASSERT_EQ(kill(daemon.pid(), SIGHUP), 0);
  ASSERT_TRUE(wait_for(log_, config_.string() + ":2: daemon.log_level: expected a string", 10s))
      << slurp(log_);

  ASSERT_EQ(kill(daemon.pid(), SIGTERM), 0);
  EXPECT_EQ(daemon.wait(15s), 0) << slurp(log_);
  EXPECT_NE(slurp(log_).find("kpulse: info: stopped"), std::string::npos) << slurp(log_);
}

TEST_F(DaemonRun, UnprivilegedWithoutBpfRunsWithNoCapabilities) {
  if (getuid() != 0 || !have_command("setpriv")) GTEST_SKIP() << "needs root and setpriv";
  fs::permissions(dir_, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  Child daemon("exec setpriv --reuid=65534 --regid=65534 --clear-groups " +
                   start_command().substr(std::string("exec ").size()) + " --no-bpf",
               nullptr);
  ASSERT_TRUE(wait_for(log_, "collecting every", 30s)) << slurp(log_);
  EXPECT_EQ(status_mask(daemon.pid(), "CapEff"), 0u);
  EXPECT_EQ(status_mask(daemon.pid(), "CapPrm"), 0u);
  ASSERT_EQ(kill(daemon.pid(), SIGTERM), 0);
  EXPECT_EQ(daemon.wait(15s), 0) << slurp(log_);
}

TEST_F(DaemonRun, BadConfigFailsWithFileAndLine) {
  {
    std::ofstream out(config_);
    out << "[collection]\n\ninterval = -1\n";
  }
  std::string out;
  int rc = run(kBin + " run --config " + config_.string() + " 2>&1", &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find(config_.string() + ":3: collection.interval: -1 is outside 0.05..3600"),
            std::string::npos)
      << out;
}

TEST_F(DaemonRun, JournalLinesCarrySyslogPriorities) {
  std::string out;
  // systemd names the stream stderr is connected to ("DEV:INODE"); here a
  // file stands in for the journal's socket.
  const std::string file = "/tmp/kpulse-journal-" + std::to_string(getpid());
  int rc = run(": >" + file + "; JOURNAL_STREAM=$(stat -c %d:%i " + file + ") " + kBin +
                   " run --no-bpf --config /nonexistent.toml 2>" + file + "; s=$?; cat " + file +
                   "; rm -f " + file + "; exit $s",
               &out);
  EXPECT_NE(rc, 0);
  EXPECT_EQ(out.rfind("<3>/nonexistent.toml: cannot open", 0), 0u) << out;
}

}  // namespace
}  // namespace kpulse::testing
