// Replay's CPU profile view over a recording directory whose stack log the
// record library wrote: the minute before the replayed moment, per cgroup.
// (No kernel needed; it is here because the view's reader is CLI code.)
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "cli/replay_profile.h"
#include "record/stack_log.h"
#include "tui/frame_builder.h"

namespace kpulse::cli {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'764'900'000 * kSecond;  // 2025-12-05T02:00Z

profile::StackSample sample(const std::string& cgroup, const std::string& leaf, uint64_t count) {
  profile::StackSample s;
  s.cgroup = cgroup;
  s.pid = 42;
  s.comm = "worker";
  s.count = count;
  s.frames = {{"main", "app", false}, {leaf, "libz.so.1", false}};
  return s;
}

profile::Profile window(const std::string& cgroup, const std::string& leaf) {
  profile::Profile p;
  p.samples = {sample(cgroup, leaf, 80), sample(cgroup, "crc32", 20)};
  return p;
}

class ReplayProfile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kpulse-replay-profile-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    record::StackLogWriter w({dir_});
    // Minute 0: /batch burns in compress_block; minute 5: /web in parse_json.
    ASSERT_TRUE(w.append(kT0, kT0 + 60 * kSecond, window("/batch", "compress_block")));
    ASSERT_TRUE(w.append(kT0 + 300 * kSecond, kT0 + 360 * kSecond, window("/web", "parse_json")));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string screen(const tui::ProfileView& p) {
    model::Snapshot snap;
    snap.time_ns = kT0;
    tui::FrameInput in;
    in.snapshot = &snap;
    in.profile = &p;
    in.glyphs = &tui::ascii_glyphs();
    tui::UiState state;
    state.view = tui::View::Profile;
    return tui::build_frame(in, state, 160, 0).text();
  }

  std::filesystem::path dir_;
};

TEST_F(ReplayProfile, ShowsTheHotFunctionAndStacksOfTheMinuteBeforeTheCursor) {
  const std::string at_batch = screen(replay_profile(dir_, kT0 + 61 * kSecond));
  EXPECT_NE(at_batch.find("cgroup /batch: 80% of its CPU in compress_block (libz.so.1)"),
            std::string::npos)
      << at_batch;
  EXPECT_NE(at_batch.find("80%  worker;main;compress_block"), std::string::npos) << at_batch;
  EXPECT_EQ(at_batch.find("/web"), std::string::npos) << "minute 5 is not in the minute shown";

  const std::string at_web = screen(replay_profile(dir_, kT0 + 330 * kSecond));
  EXPECT_NE(at_web.find("cgroup /web: 80% of its CPU in parse_json"), std::string::npos) << at_web;
  EXPECT_EQ(at_web.find("/batch"), std::string::npos) << at_web;
}

TEST_F(ReplayProfile, AMinuteWithoutRecordedStacksSaysSo) {
  const std::string between = screen(replay_profile(dir_, kT0 + 200 * kSecond));
  EXPECT_NE(between.find("no recorded stacks in this minute"), std::string::npos) << between;
  EXPECT_NE(between.find("0 profiling windows"), std::string::npos) << between;
}

TEST_F(ReplayProfile, TheProviderFollowsTheSnapshotShown) {
  auto provider = make_replay_profile(dir_);
  model::Snapshot s;
  s.time_ns = kT0 + 30 * kSecond;
  ASSERT_EQ(provider(s).cgroups.size(), 1u);
  EXPECT_EQ(provider(s).cgroups[0].cgroup, "/batch");
  s.time_ns = kT0 + 320 * kSecond;
  ASSERT_EQ(provider(s).cgroups.size(), 1u);
  EXPECT_EQ(provider(s).cgroups[0].cgroup, "/web");
}

}  // namespace
}  // namespace kpulse::cli
