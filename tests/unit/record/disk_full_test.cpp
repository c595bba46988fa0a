#include <sys/mount.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <memory>

#include "record/reader.h"
#include "record/recorder.h"
#include "record_test_util.h"

namespace kpulse::record {
namespace {

using testing::rich_snapshot;
using testing::TempDir;

TEST(DiskFull, PausesKeepsABoundedBacklogAndResumes) {
  TempDir dir;
  auto full = std::make_shared<std::atomic<bool>>(false);
  RecorderOptions o;
  o.dir = dir.path();
  o.frames_per_block = 2;
  o.downsample = false;
  o.retry_interval_ns = 0;
  o.write_fault = [full](size_t) { return full->load() ? ENOSPC : 0; };
  Recorder rec(o);
  std::vector<model::Snapshot> written;
  auto append = [&](uint64_t seq) {
    written.push_back(rich_snapshot(seq));
    rec.append(written.back());
  };
  for (uint64_t i = 0; i < 4; ++i) append(i);
  const auto before = rec.status();
  EXPECT_EQ(before.state, RecorderState::Ok);
  EXPECT_EQ(before.blocks_written, 2u);

  full->store(true);
  for (uint64_t i = 4; i < 8; ++i) append(i);
  auto paused = rec.status();
  EXPECT_EQ(paused.state, RecorderState::Paused);
  EXPECT_NE(paused.last_error.find("No space left on device"), std::string::npos)
      << paused.last_error;
  EXPECT_NE(paused.paused_since_ns, 0);
  EXPECT_EQ(paused.blocks_written, 2u);
  EXPECT_GT(paused.backlog_bytes, 0u);
  EXPECT_EQ(paused.dropped_blocks, 0u);

  full->store(false);
  for (uint64_t i = 8; i < 10; ++i) append(i);
  auto resumed = rec.status();
  EXPECT_EQ(resumed.state, RecorderState::Ok);
  EXPECT_EQ(resumed.backlog_bytes, 0u);
  EXPECT_EQ(resumed.blocks_written, 5u);

  RecordingReader reader(dir.path());
  EXPECT_EQ(reader.read_range(INT64_MIN, INT64_MAX), written);
  EXPECT_TRUE(reader.warnings().empty());
}

TEST(DiskFull, BacklogOverflowDropsTheOldestBlocks) {
  TempDir dir;
  auto full = std::make_shared<std::atomic<bool>>(true);
  RecorderOptions o;
  o.dir = dir.path();
  o.frames_per_block = 1;
  o.downsample = false;
  o.retry_interval_ns = 0;
  o.max_backlog_bytes = 1;  // keeps only the newest block
  o.write_fault = [full](size_t) { return full->load() ? ENOSPC : 0; };
  Recorder rec(o);
  for (uint64_t i = 0; i < 5; ++i) rec.append(rich_snapshot(i));
  auto st = rec.status();
  EXPECT_EQ(st.state, RecorderState::Paused);
  EXPECT_EQ(st.dropped_blocks, 4u);
  full->store(false);
  rec.append(rich_snapshot(5));  // its block pushes the waiting one out too
  EXPECT_EQ(rec.status().state, RecorderState::Ok);
  EXPECT_EQ(rec.status().dropped_blocks, 5u);
  RecordingReader reader(dir.path());
  auto read = reader.read_range(INT64_MIN, INT64_MAX);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].seq, 5u);
}

// A real full filesystem: a small tmpfs, filled up, then given space back.
TEST(DiskFull, RealTmpfsFillsUpAndRecovers) {
  TempDir dir;
  if (::geteuid() != 0 ||
      ::mount("tmpfs", dir.path().c_str(), "tmpfs", 0, "size=512k,mode=0700") != 0)
    GTEST_SKIP() << "needs root to mount a tmpfs";
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{dir.path().string()};
  const auto junk = dir.path() / "junk";
  {
    std::ofstream f(junk, std::ios::binary);
    std::string block(4096, 'x');
    for (int i = 0; i < 120; ++i) f << block;  // 480 KiB of the 512
  }
  RecorderOptions o;
  o.dir = dir.path() / "rec";
  o.frames_per_block = 1;
  o.codec = Codec::None;  // big blocks fill the disk quickly
  o.downsample = false;
  o.retry_interval_ns = 0;
  Recorder rec(o);
  uint64_t seq = 0;
  while (rec.status().state == RecorderState::Ok && seq < 200) rec.append(rich_snapshot(seq++));
  ASSERT_EQ(rec.status().state, RecorderState::Paused) << "never filled up";
  EXPECT_NE(rec.status().last_error.find("No space left on device"), std::string::npos);
  std::filesystem::remove(junk);
  rec.append(rich_snapshot(seq++));
  EXPECT_EQ(rec.status().state, RecorderState::Ok) << rec.status().last_error;
  rec.flush();
  RecordingReader reader(o.dir);
  auto read = reader.read_range(INT64_MIN, INT64_MAX);
  EXPECT_EQ(read.size(), seq - rec.status().dropped_blocks);
  EXPECT_TRUE(reader.warnings().empty()) << reader.warnings().front();
  for (size_t i = 1; i < read.size(); ++i) EXPECT_EQ(read[i].seq, read[i - 1].seq + 1);
}

}  // namespace
}  // namespace kpulse::record
