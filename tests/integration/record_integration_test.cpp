// Recording end to end: live collector snapshots round-trip exactly, and the
// CLI reads them back (`kpulse dump`, `kpulse replay` stepping in tmux).
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <thread>

#include "engine/collector.h"
#include "model/snapshot_json.h"
#include "record/dump_writer.h"
#include "record/reader.h"
#include "record/recorder.h"

namespace kpulse {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kpulse-recint-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

// Values compare bit for bit; NaN (a gauge with no reading) equals NaN.
bool same(const model::Snapshot& a, const model::Snapshot& b) {
  return model::to_json(a).dump() == model::to_json(b).dump() &&
         a.components.size() == b.components.size();
}

class RecordLive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    written_ = new std::vector<model::Snapshot>;
    engine::CollectorOptions o;
    // Over a second apart: the header clock (HH:MM:SS) differs at every step.
    o.interval = std::chrono::milliseconds(1100);
    o.enable_bpf = ::geteuid() == 0;
    engine::Collector collector(o);
    record::RecorderOptions ro;
    ro.dir = dir_->path();
    ro.frames_per_block = 4;
    record::Recorder rec(ro);
    for (int i = 0; i < 10; ++i) {
      written_->push_back(collector.next());
      rec.append(written_->back());
    }
  }
  static inline TempDir* dir_ = nullptr;  // created per run, not per process
  static inline std::vector<model::Snapshot>* written_ = nullptr;
  static void TearDownTestSuite() {
    delete dir_;
    delete written_;
  }
};

TEST_F(RecordLive, LiveSnapshotsRoundTripExactly) {
  record::RecordingReader reader(dir_->path());
  EXPECT_TRUE(reader.warnings().empty());
  auto read = reader.read_range(INT64_MIN, INT64_MAX);
  ASSERT_EQ(read.size(), written_->size());
  for (size_t i = 0; i < read.size(); ++i) EXPECT_TRUE(same(read[i], (*written_)[i])) << i;
}

TEST_F(RecordLive, DumpPrintsEverySample) {
  std::ostringstream expected;
  record::write_csv_header(expected);
  for (const auto& s : *written_) record::write_csv_rows(expected, s);
  const std::string bin = KPULSE_BINARY;
  EXPECT_EQ(run(bin + " dump " + dir_->path().string() + " --format csv"), expected.str());
  const std::string json = run(bin + " dump " + dir_->path().string() + " --format json --from " +
                               record::format_time_ns((*written_)[3].time_ns));
  EXPECT_EQ(std::count(json.begin(), json.end(), '\n'), static_cast<long>(written_->size() - 3));
  EXPECT_NE(run(bin + " dump /nonexistent 2>&1"), "");
}

std::string clock_text(int64_t time_ns) {
  std::time_t t = static_cast<std::time_t>(time_ns / 1'000'000'000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

TEST_F(RecordLive, ReplayStepsThroughTimeInTmux) {
  if (run("command -v tmux").empty()) GTEST_SKIP() << "tmux not installed";
  const std::string sock = "kpulse-replay-test-" + std::to_string(::getpid());
  const std::string tmux = "tmux -L " + sock + " -f /dev/null ";
  const auto& w = *written_;
  // Plays from --at to the end of the recording (0.2 s per snapshot), then
  // steps back and forth: the header clock follows the recorded times.
  run(tmux + "new-session -d -x 160 -y 45 '" + std::string(KPULSE_BINARY) + " replay " +
      dir_->path().string() + " -d 0.2 --at " + record::format_time_ns(w[5].time_ns) + "'");
  auto screen_shows = [&](const std::string& text) {
    for (int i = 0; i < 100; ++i) {
      if (run(tmux + "capture-pane -p").find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  ASSERT_TRUE(screen_shows("end of data")) << run(tmux + "capture-pane -p");
  EXPECT_TRUE(screen_shows(clock_text(w[9].time_ns))) << run(tmux + "capture-pane -p");
  run(tmux + "send-keys '['");
  EXPECT_TRUE(screen_shows(clock_text(w[8].time_ns))) << run(tmux + "capture-pane -p");
  run(tmux + "send-keys '[' '['");
  EXPECT_TRUE(screen_shows(clock_text(w[6].time_ns))) << run(tmux + "capture-pane -p");
  run(tmux + "send-keys ']'");
  EXPECT_TRUE(screen_shows(clock_text(w[7].time_ns))) << run(tmux + "capture-pane -p");
  // Replay started at --at: it never showed the first snapshots.
  EXPECT_EQ(run(tmux + "capture-pane -p").find(clock_text(w[1].time_ns)), std::string::npos);
  // T jumps to a typed time, before where the replay started.
  run(tmux + "send-keys T '" + record::format_time_ns(w[2].time_ns) + "' Enter");
  EXPECT_TRUE(screen_shows(clock_text(w[2].time_ns))) << run(tmux + "capture-pane -p");
  run(tmux + "send-keys T 'not-a-time' Enter");
  EXPECT_TRUE(screen_shows("not-a-time")) << run(tmux + "capture-pane -p");
  run(tmux + "send-keys q");
  run(tmux + "kill-server 2>/dev/null");
}

}  // namespace
}  // namespace kpulse
