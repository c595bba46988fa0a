// `kpulse run` recording onto a filesystem that fills up: recording pauses
// with an alert (log line and a `kpulse.recording` OTLP log record) while
// the daemon keeps running, and resumes with another when space returns.
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "otlp_log_receiver.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kBin = KPULSE_BINARY;

TEST(DaemonRecord, FullDiskPausesWithAnAlertAndResumes) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs";
  const fs::path dir =
      fs::temp_directory_path() / ("kpulse_daemon_record_" + std::to_string(getpid()));
  const fs::path rec = dir / "recordings";
  fs::create_directories(rec);
  // Smaller than one block of frames: the first block cannot be written.
  ASSERT_EQ(::mount("tmpfs", rec.c_str(), "tmpfs", 0, "size=16k,mode=0700"), 0);
  struct Cleanup {
    fs::path dir, rec;
    ~Cleanup() {
      ::umount2(rec.c_str(), MNT_DETACH);
      fs::remove_all(dir);
    }
  } cleanup{dir, rec};

  LogReceiver receiver;
  const fs::path config = dir / "kpulse.toml";
  {
    std::ofstream out(config);
    out << "[collection]\ninterval = 0.1\nbpf = false\n"
        << "[daemon]\nlog_level = \"info\"\nstatus_interval = 0\n"
        << "[state]\ndir = \"" << dir.string() << "\"\n"
        << "[record]\nenabled = true\n"
        << "[otlp]\nenabled = true\nendpoint = \"http://127.0.0.1:" << receiver.port() << "\"\n"
        << "[analytics]\nenabled = false\n";
  }
  const std::string log = (dir / "stderr.log").string();
  Child daemon(
      "exec env -u JOURNAL_STREAM " + kBin + " run --config " + config.string() + " 2>" + log,
      nullptr);
  ASSERT_TRUE(wait_for_text(log, "recording paused:", 60s)) << slurp(log);
  EXPECT_NE(slurp(log).find("No space left on device"), std::string::npos) << slurp(log);
  auto wait_record = [&](const std::string& state) {
    for (int i = 0; i < 100; ++i) {
      if (!receiver.with("kpulse.recording.state", state).empty()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  };
  ASSERT_TRUE(wait_record("paused")) << slurp(log);
  EXPECT_GE(receiver.with("kpulse.recording.state", "paused").front().severity_number(), 17)
      << "ERROR or above";  // SEVERITY_NUMBER_ERROR = 17
  EXPECT_EQ(::kill(daemon.pid(), 0), 0) << "the daemon keeps running";

  // Space comes back: the next retry writes and says so.
  ASSERT_EQ(::mount("tmpfs", rec.c_str(), "tmpfs", MS_REMOUNT, "size=64m,mode=0700"), 0);
  ASSERT_TRUE(wait_for_text(log, "recording resumed", 60s)) << slurp(log);
  EXPECT_TRUE(wait_record("resumed")) << slurp(log);
  ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0);
  EXPECT_EQ(daemon.wait(20s), 0) << slurp(log);
}

}  // namespace
}  // namespace kpulse::testing
