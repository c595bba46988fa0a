// The recorder under a hostile or damaged recording directory: planted
// symbolic links and hard links, a directory others can write in, a
// segment whose file header is damaged, a file the writer sets aside.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "model/clock.h"
#include "record/private_dir.h"
#include "record/reader.h"
#include "record/recorder.h"
#include "record/segment_dir.h"
#include "record/segment_file.h"
#include "record_test_util.h"

namespace kpulse::record {
namespace {

using testing::flip_byte;
using testing::kSecond;
using testing::rich_snapshot;
using testing::TempDir;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool any_contains(const std::vector<std::string>& v, const std::string& needle) {
  for (const auto& s : v)
    if (s.find(needle) != std::string::npos) return true;
  return false;
}

// Records `n` snapshots an hour apart from `start` (every tier gets data).
RecorderStatus record_hours(const std::filesystem::path& dir, int n, int64_t start,
                            std::vector<std::string>* notices = nullptr) {
  RecorderOptions o;
  o.dir = dir;
  o.frames_per_block = 2;
  if (notices) o.notice = [notices](const std::string& m) { notices->push_back(m); };
  Recorder rec(o);
  for (int i = 0; i < n; ++i)
    rec.append(rich_snapshot(i, start + i * 3600 * kSecond - i * kSecond));
  rec.flush();
  return rec.status();
}

// One minute into a UTC day, so a few hours stay within one day's segments.
constexpr int64_t kStart = (1'780'000'000 / 86400 * 86400 + 60) * kSecond;

TEST(HostileDir, PlantedSymlinkIsRefusedAndItsTargetUntouched) {
  TempDir dir, elsewhere;
  const auto rec_dir = dir.path() / "recordings";
  ensure_private_dir(rec_dir);
  const auto target = elsewhere.path() / "precious";
  std::ofstream(target) << "do not overwrite\n";
  // An unprivileged user who can write in the directory plants the links.
  const auto planted_1m = rec_dir / segment_name(Tier::Minute, kStart);
  std::filesystem::create_symlink(target, planted_1m);
  RecorderStatus st = record_hours(rec_dir, 4, kStart);
  EXPECT_EQ(slurp(target), "do not overwrite\n");
  EXPECT_TRUE(std::filesystem::is_symlink(planted_1m));
  EXPECT_EQ(st.state, RecorderState::Paused);
  EXPECT_NE(st.last_error.find("symbolic link"), std::string::npos) << st.last_error;
  // The other tiers still record.
  EXPECT_TRUE(RecordingReader(rec_dir).time_range());
}

TEST(HostileDir, SymlinkToAnotherSegmentIsNotTruncated) {
  TempDir dir;
  record_hours(dir.path(), 3, kStart);
  const auto full = dir.path() / segment_name(Tier::Full, kStart);
  const std::string before = slurp(full);
  ASSERT_FALSE(before.empty());
  // Tomorrow's full segment planted as a link to today's.
  const int64_t tomorrow = kStart + 86400 * kSecond;
  std::filesystem::create_symlink(full, dir.path() / segment_name(Tier::Full, tomorrow));
  record_hours(dir.path(), 2, tomorrow);
  EXPECT_EQ(slurp(full), before);
}

// The writer opens a tier's file only when it first writes a block there
// (the 1 h tier: up to a day after the start), so a link planted as today's
// 1 h segment was reported only then, or at shutdown. The start looks.
TEST(HostileDir, ALinkPlantedAsTodaysSegmentIsReportedAtStart) {
  TempDir dir, elsewhere;
  const auto rec_dir = dir.path() / "recordings";
  ensure_private_dir(rec_dir);
  const auto planted = rec_dir / segment_name(Tier::Hour, model::wall_clock_ns());
  std::filesystem::create_symlink(elsewhere.path() / "precious", planted);
  std::vector<std::string> notices;
  RecorderOptions o;
  o.dir = rec_dir;
  o.notice = [&notices](const std::string& m) { notices.push_back(m); };
  Recorder rec(o);
  EXPECT_TRUE(any_contains(notices, planted.string() + ": is a symbolic link"))
      << (notices.empty() ? "no notice" : notices.front());
  EXPECT_FALSE(std::filesystem::exists(elsewhere.path() / "precious"));
}

TEST(HostileDir, TodaysOwnSegmentsRaiseNoNotice) {
  TempDir dir;
  const int64_t now = model::wall_clock_ns();
  record_hours(dir.path(), 1, now);
  std::vector<std::string> notices;
  record_hours(dir.path(), 1, now + kSecond, &notices);
  EXPECT_TRUE(notices.empty()) << notices.front();
}

TEST(HostileDir, PlantedHardLinkIsRefused) {
  TempDir dir;
  const auto target = dir.path() / "victim";
  std::ofstream(target) << "keep me\n";
  const auto planted = dir.path() / segment_name(Tier::Full, kStart);
  std::filesystem::create_hard_link(target, planted);
  RecorderStatus st = record_hours(dir.path(), 2, kStart);
  EXPECT_EQ(slurp(target), "keep me\n");
  EXPECT_NE(st.last_error.find("hard link"), std::string::npos) << st.last_error;
}

TEST(HostileDir, ADirectoryOthersCanWriteInIsRefused) {
  TempDir dir;
  ::chmod(dir.path().c_str(), 0777);
  EXPECT_THROW(ensure_private_dir(dir.path()), std::runtime_error);
  RecorderStatus st = record_hours(dir.path(), 2, kStart);
  EXPECT_EQ(st.state, RecorderState::Paused);
  EXPECT_NE(st.last_error.find("writable by group or others"), std::string::npos) << st.last_error;
  EXPECT_TRUE(list_segments(dir.path()).empty());
}

TEST(HostileDir, ADirectoryOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the directory away";
  TempDir dir;
  ASSERT_EQ(::chown(dir.path().c_str(), 65534, 65534), 0);
  try {
    ensure_private_dir(dir.path());
    FAIL() << "accepted a directory owned by uid 65534";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("owned by uid 65534"), std::string::npos) << e.what();
  }
}

TEST(HostileDir, CreatedDirectoriesHaveFixedModesWhateverTheUmask) {
  TempDir dir;
  const mode_t old = ::umask(0);
  ensure_private_dir(dir.path() / "state" / "recordings");
  ::umask(077);
  ensure_private_dir(dir.path() / "other");
  ::umask(old);
  for (const auto* sub : {"state", "state/recordings", "other"}) {
    struct stat st {};
    ASSERT_EQ(::stat((dir.path() / sub).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0750u) << sub;
  }
}

TEST(HostileDir, DamagedFileHeaderLosesOnlyTheHeader) {
  TempDir dir;
  record_hours(dir.path(), 5, kStart);
  const auto full = dir.path() / segment_name(Tier::Full, kStart);
  const auto before = RecordingReader(dir.path()).read_range(INT64_MIN, INT64_MAX);
  ASSERT_EQ(before.size(), 5u);
  for (uint64_t offset : {0u, 9u, 13u, 20u}) {  // magic, version, length, body
    flip_byte(full, offset);
    RecordingReader reader(dir.path());
    EXPECT_EQ(reader.read_range(INT64_MIN, INT64_MAX), before) << "offset " << offset;
    EXPECT_TRUE(any_contains(reader.warnings(), "file header damaged")) << offset;
    flip_byte(full, offset);
  }
}

TEST(HostileDir, WriterAppendsAfterADamagedHeaderWithoutSettingTheDayAside) {
  TempDir dir;
  record_hours(dir.path(), 3, kStart);
  const auto full = dir.path() / segment_name(Tier::Full, kStart);
  {
    std::fstream f(full, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2);
    f.put('X');
  }
  std::vector<std::string> notices;
  record_hours(dir.path(), 2, kStart + 3 * 3600 * kSecond, &notices);
  EXPECT_TRUE(notices.empty()) << notices.front();
  EXPECT_FALSE(std::filesystem::exists(full.string() + ".bad"));
  EXPECT_EQ(RecordingReader(dir.path()).read_range(INT64_MIN, INT64_MAX).size(), 5u);
}

TEST(HostileDir, SetAsideFileIsLoggedAndRead) {
  TempDir dir;
  const auto full = dir.path() / segment_name(Tier::Full, kStart);
  std::ofstream(full) << "not a recording at all";
  std::vector<std::string> notices;
  record_hours(dir.path(), 2, kStart, &notices);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find(".kpr.bad"), std::string::npos) << notices[0];
  EXPECT_NE(notices[0].find("not a kpulse recording"), std::string::npos) << notices[0];
  RecordingReader reader(dir.path());
  EXPECT_EQ(reader.read_range(INT64_MIN, INT64_MAX).size(), 2u);
  EXPECT_TRUE(any_contains(reader.warnings(), ".kpr.bad")) << reader.warnings().size();
}

}  // namespace
}  // namespace kpulse::record
