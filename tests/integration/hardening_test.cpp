// `kpulse run` and the file-reading commands under mistakes and hostile
// users: a second daemon on the same state directory, kill -9, a recording
// directory that turns unwritable, a setcap'd binary run by an unprivileged
// user on files it may not read. Real processes, real files.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "record/reader.h"
#include "record/recorder.h"
#include "record/segment_dir.h"
#include "record/segment_file.h"
#include "test_env.h"
#include "tests/support/synthetic_source.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kBin = KPULSE_BINARY;

class Hardening : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpulse_hardening_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_ = dir_ / "kpulse.toml";
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_ / "recordings", fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_);
  }
  void write_config(double interval) {
    std::ofstream out(config_);
    out << "[collection]\ninterval = " << interval << "\nbpf = false\n"
        << "[daemon]\nlog_level = \"info\"\nstatus_interval = 0\n"
        << "[state]\ndir = \"" << dir_.string() << "\"\n"
        << "[record]\nenabled = true\n[analytics]\nenabled = false\n";
  }
  std::string start(const std::string& log) const {
    return "exec env -u JOURNAL_STREAM -u NOTIFY_SOCKET " + kBin + " run --config " +
           config_.string() + " 2>" + (dir_ / log).string();
  }
  std::string log(const std::string& name) const { return slurp((dir_ / name).string()); }
  bool wait_log(const std::string& name, const std::string& text, std::chrono::seconds t) const {
    return wait_for_text((dir_ / name).string(), text, t);
  }
  fs::path dir_, config_;
};

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(Hardening, ASecondDaemonOnTheSameStateDirectoryRefusesNamingTheFirst) {
  write_config(0.1);
  Child first(start("first.log"), nullptr);
  ASSERT_TRUE(wait_log("first.log", "collecting every", 30s)) << log("first.log");
  Child second(start("second.log"), nullptr);
  EXPECT_EQ(second.wait(30s), 1) << log("second.log");
  EXPECT_NE(log("second.log").find("another kpulse run (pid " + std::to_string(first.pid()) + ")"),
            std::string::npos)
      << log("second.log");
  // The first daemon's recording is whole. On an idle host the second daemon
  // is refused within one interval, before the first has stored anything, so
  // give the first a few intervals of its own before stopping it.
  std::this_thread::sleep_for(1s);
  ASSERT_EQ(kill(first.pid(), SIGTERM), 0);
  EXPECT_EQ(first.wait(30s), 0) << log("first.log");
  record::RecordingReader reader(dir_ / "recordings");
  EXPECT_FALSE(reader.read_range(INT64_MIN, INT64_MAX).empty());
  EXPECT_TRUE(reader.warnings().empty()) << reader.warnings().front();
}

// docs/recording.md, "Crash": a kill -9 loses at most the full tier's open
// block (60 snapshots), and the 1 min and 1 h tiers are rebuilt from the
// full tier on the next start, so every stored snapshot is in their buckets.
TEST_F(Hardening, KillDashNineLosesAtMostTheOpenBlockInEveryTier) {
  constexpr double kInterval = 0.05;
  write_config(kInterval);
  int64_t killed_ns = 0;
  {
    Child daemon(start("crash.log"), nullptr);
    ASSERT_TRUE(wait_log("crash.log", "collecting every", 30s)) << log("crash.log");
    std::this_thread::sleep_for(8s);
    killed_ns = wall_ns();
    ASSERT_EQ(kill(daemon.pid(), SIGKILL), 0);
    daemon.wait(10s);
  }
  const fs::path rec = dir_ / "recordings";
  {
    record::RecordingReader full(rec);
    const auto stored = full.read_range(INT64_MIN, INT64_MAX);
    ASSERT_GE(stored.size(), 2u) << log("crash.log");
    // At most the open block (60 snapshots) is lost: 60 of the intervals the
    // daemon actually kept (a busy host stretches them), plus slack.
    const double spacing = static_cast<double>(stored.back().time_ns - stored.front().time_ns) /
                           1e9 / static_cast<double>(stored.size() - 1);
    EXPECT_GE(spacing, kInterval * 0.9);
    EXPECT_LE(static_cast<double>(killed_ns - stored.back().time_ns) / 1e9, 60 * spacing + 2.0);
  }
  // Restart, then stop cleanly.
  Child again(start("again.log"), nullptr);
  ASSERT_TRUE(wait_log("again.log", "collecting every", 30s)) << log("again.log");
  EXPECT_NE(log("again.log").find("rebuilt the 1 min and 1 h tiers"), std::string::npos)
      << log("again.log");
  std::this_thread::sleep_for(1s);
  ASSERT_EQ(kill(again.pid(), SIGTERM), 0);
  ASSERT_EQ(again.wait(30s), 0) << log("again.log");

  const size_t stored = record::RecordingReader(rec).read_range(INT64_MIN, INT64_MAX).size();
  for (auto tier : {record::Tier::Minute, record::Tier::Hour}) {
    uint64_t merged = 0;
    record::RecordingReader(rec, tier).read(INT64_MIN, INT64_MAX,
                                            [&](record::RecordedSnapshot&& r) {
                                              merged += r.samples_merged;
                                              return true;
                                            });
    EXPECT_EQ(merged, stored) << record::to_string(tier);
  }
}

TEST_F(Hardening, AnUnwritableRecordingDirectoryAtShutdownIsLoggedAndFailsTheExit) {
  write_config(0.1);
  Child daemon(start("run.log"), nullptr);
  ASSERT_TRUE(wait_log("run.log", "collecting every", 30s)) << log("run.log");
  std::this_thread::sleep_for(1s);
  // After the capability drop root cannot write into a 0500 directory: the
  // 1 min and 1 h segments are only created at shutdown.
  fs::permissions(dir_ / "recordings", fs::perms::owner_read | fs::perms::owner_exec);
  ASSERT_EQ(kill(daemon.pid(), SIGTERM), 0);
  EXPECT_EQ(daemon.wait(30s), 1) << log("run.log");
  EXPECT_NE(log("run.log").find("record: at shutdown: the last"), std::string::npos)
      << log("run.log");
}

// A copy of kpulse with the file capabilities docs/kpulse.md suggests, run
// by an unprivileged user on files only root may read.
TEST_F(Hardening, SetcapBinaryReadsUserFilesWithTheUsersRights) {
  if (geteuid() != 0 || !have_command("setcap") || !have_command("setpriv"))
    GTEST_SKIP() << "needs root, setcap and setpriv";
  const fs::path bin_dir = fs::path(kBin).parent_path() / ("setcap_" + std::to_string(getpid()));
  fs::create_directories(bin_dir);
  struct Cleanup {
    fs::path p;
    ~Cleanup() { fs::remove_all(p); }
  } cleanup{bin_dir};
  const fs::path bin = bin_dir / "kpulse";
  fs::copy_file(kBin, bin);
  ASSERT_EQ(run("setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep " + bin.string()), 0);
  fs::permissions(dir_, fs::perms::owner_all);  // 0700 root: nobody may look inside
  const fs::path secret = dir_ / "secret.csv";
  std::ofstream(secret) << "hunter2,42\n";
  std::ofstream(dir_ / "secret.toml") << "hunter2 = [\n";
  ::chmod(secret.c_str(), 0600);

  auto as_nobody = [&](const std::string& args) {
    std::string out;
    run("cd / && setpriv --reuid=65534 --regid=65534 --clear-groups " + bin.string() + " " + args +
            " 2>&1",
        &out);
    return out;
  };
  // The copy carries the capabilities (else the test proves nothing).
  std::string fcaps;
  run("getcap " + bin.string(), &fcaps);
  ASSERT_NE(fcaps.find("cap_dac_read_search"), std::string::npos) << fcaps;

  for (const std::string& cmd : {"forecast --input " + secret.string(),
                                 "analyze --series " + secret.string() + " --anomaly-scores",
                                 "config check --config " + (dir_ / "secret.toml").string()}) {
    const std::string out = as_nobody(cmd);
    EXPECT_EQ(out.find("hunter2"), std::string::npos) << cmd << ": " << out;
  }
  // Existence does not leak either: an existing and a missing file in the
  // unreadable directory get the same answer.
  std::string existing = as_nobody("config check --config " + (dir_ / "secret.toml").string());
  std::string missing = as_nobody("config check --config " + (dir_ / "absent.toml").string());
  const auto strip = [](std::string s, const std::string& name) {
    for (size_t at; (at = s.find(name)) != std::string::npos;) s.erase(at, name.size());
    return s;
  };
  EXPECT_EQ(strip(existing, "secret.toml"), strip(missing, "absent.toml"));
}

// A block whose payload fails its checksum: every reader says so (issue 21,
// item 8), not only `dump`.
TEST_F(Hardening, EveryReaderReportsADamagedBlock) {
  const fs::path rec = dir_ / "recordings";
  {
    record::RecorderOptions o;
    o.dir = rec;
    o.frames_per_block = 10;
    record::Recorder recorder(o);
    synthetic::SyntheticSource synth({});
    const int64_t start = wall_ns() - 3600'000'000'000LL;
    for (int i = 0; i < 60; ++i) {
      model::Snapshot s = *synth.next();
      s.time_ns = start + i * 1'000'000'000LL;
      recorder.append(s);
    }
  }
  const auto segs = record::list_segments(rec);
  ASSERT_FALSE(segs.empty());
  const fs::path full = segs.front().path;
  const auto blocks = record::scan_segment(full.string()).blocks;
  ASSERT_GE(blocks.size(), 3u);
  {
    std::fstream f(full, std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(blocks[1].offset + record::kBlockHeaderSize + 5);
    f.seekp(at);
    f.put('\x7f');
  }
  std::string out;
  const fs::path html = dir_ / "report.html";
  EXPECT_EQ(run(kBin + " report " + rec.string() + " -o " + html.string() + " 2>&1", &out), 0)
      << out;
  EXPECT_NE(out.find("block checksum mismatch"), std::string::npos) << out;
  EXPECT_NE(out.find("damaged or skipped"), std::string::npos) << out;
  EXPECT_NE(slurp(html.string()).find("Data quality"), std::string::npos);

  EXPECT_EQ(run(kBin + " analyze --recording " + rec.string() + " --json 2>/dev/null", &out), 0)
      << out;
  EXPECT_NE(out.find("\"recording_warnings\""), std::string::npos) << out.substr(0, 2000);
  const std::string err = (dir_ / "analyze.err").string();
  EXPECT_EQ(run("(" + kBin + " analyze --recording " + rec.string() + " >/dev/null 2>" + err + ")"),
            0);
  EXPECT_NE(slurp(err).find("block checksum mismatch"), std::string::npos) << slurp(err);

  // replay steps through the damaged block: it says so once the UI is done.
  EXPECT_EQ(run("(" + kBin + " replay " + rec.string() +
                " --batch -n 25 -d 0.1 --no-analysis >/dev/null 2>" + err + ")"),
            0);
  EXPECT_NE(slurp(err).find("block checksum mismatch"), std::string::npos) << slurp(err);
}

}  // namespace
}  // namespace kpulse::testing
