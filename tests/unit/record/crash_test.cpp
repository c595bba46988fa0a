// A writer killed with SIGKILL (a forked child: no destructor, no flush)
// loses at most the full tier's open block, and the next writer rebuilds the
// 1 min and 1 h tiers from the full tier (docs/recording.md, "Crash").
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "record/reader.h"
#include "record/recorder.h"
#include "record_test_util.h"

namespace kpulse::record {
namespace {

using testing::kSecond;
using testing::rich_snapshot;
using testing::TempDir;

constexpr int64_t kDayStart = (1'780'000'000 / 86400 * 86400) * kSecond;

uint64_t merged_in(const std::filesystem::path& dir, Tier tier) {
  uint64_t merged = 0;
  RecordingReader(dir, tier).read(INT64_MIN, INT64_MAX, [&](RecordedSnapshot&& r) {
    merged += r.samples_merged;
    return true;
  });
  return merged;
}

TEST(Crash, KillDashNineThenRestartLeavesEveryTierWithEveryStoredSnapshot) {
  TempDir dir;
  constexpr uint64_t kWritten = 5 * 60 + 17;  // five minutes and a bit, 1 s apart
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    RecorderOptions o;
    o.dir = dir.path();
    auto* rec = new Recorder(o);  // never destroyed: the crash
    for (uint64_t i = 0; i < kWritten; ++i) rec->append(rich_snapshot(i, kDayStart, 5));
    ::raise(SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));

  const uint64_t stored = RecordingReader(dir.path()).read_range(INT64_MIN, INT64_MAX).size();
  // Blocks of 60: only the open block (17 snapshots here) is lost.
  EXPECT_EQ(stored, kWritten / 60 * 60);
  // Before the restart the downsampled tiers have nothing: their blocks
  // (60 and 24 buckets) never filled.
  EXPECT_EQ(merged_in(dir.path(), Tier::Minute), 0u);

  std::vector<std::string> notices;
  {
    RecorderOptions o;
    o.dir = dir.path();
    o.notice = [&](const std::string& m) { notices.push_back(m); };
    Recorder rec(o);
    rec.append(rich_snapshot(kWritten + 100, kDayStart, 5));
  }
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("rebuilt the 1 min and 1 h tiers from " + std::to_string(stored)),
            std::string::npos)
      << notices[0];
  const uint64_t now_stored = stored + 1;
  EXPECT_EQ(merged_in(dir.path(), Tier::Minute), now_stored);
  EXPECT_EQ(merged_in(dir.path(), Tier::Hour), now_stored);

  // A clean restart rebuilds nothing and duplicates nothing.
  notices.clear();
  {
    RecorderOptions o;
    o.dir = dir.path();
    o.notice = [&](const std::string& m) { notices.push_back(m); };
    Recorder rec(o);
  }
  EXPECT_TRUE(notices.empty());
  EXPECT_EQ(merged_in(dir.path(), Tier::Minute), now_stored);
}

}  // namespace
}  // namespace kpulse::record
