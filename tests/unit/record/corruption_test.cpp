#include <gtest/gtest.h>

#include <fstream>

#include "record/reader.h"
#include "record/recorder.h"
#include "record/segment_dir.h"
#include "record/segment_file.h"
#include "record_test_util.h"

namespace kpulse::record {
namespace {

using testing::flip_byte;
using testing::rich_snapshot;
using testing::TempDir;

constexpr int kSnapshots = 40;
constexpr uint32_t kPerBlock = 7;  // blocks of 7,7,7,7,7,5

struct Recorded {
  std::filesystem::path file;
  std::vector<model::Snapshot> written;
  std::vector<BlockInfo> blocks;
};

Recorded record(const std::filesystem::path& dir) {
  Recorded r;
  {
    RecorderOptions o;
    o.dir = dir;
    o.frames_per_block = kPerBlock;
    o.downsample = false;
    Recorder rec(o);
    for (uint64_t i = 0; i < kSnapshots; ++i) {
      r.written.push_back(rich_snapshot(i));
      rec.append(r.written.back());
    }
  }
  auto segs = list_segments(dir);
  EXPECT_EQ(segs.size(), 1u);
  r.file = segs.at(0).path;
  r.blocks = scan_segment(r.file.string()).blocks;
  EXPECT_EQ(r.blocks.size(), 6u);
  return r;
}

// The written snapshots minus those of block `skip` (blocks are kPerBlock long).
std::vector<model::Snapshot> without_block(const std::vector<model::Snapshot>& all, size_t skip) {
  std::vector<model::Snapshot> out;
  for (size_t i = 0; i < all.size(); ++i)
    if (i / kPerBlock != skip) out.push_back(all[i]);
  return out;
}

bool any_contains(const std::vector<std::string>& v, const std::string& needle) {
  for (const auto& s : v)
    if (s.find(needle) != std::string::npos) return true;
  return false;
}

TEST(Corruption, FlippedPayloadByteSkipsOnlyThatBlock) {
  TempDir dir;
  auto r = record(dir.path());
  const auto& b = r.blocks[2];
  flip_byte(r.file, b.offset + kBlockHeaderSize + b.stored_len / 2);
  RecordingReader reader(dir.path());
  EXPECT_EQ(reader.read_range(INT64_MIN, INT64_MAX), without_block(r.written, 2));
  EXPECT_TRUE(any_contains(reader.warnings(), "checksum mismatch")) << reader.warnings().size();
  EXPECT_TRUE(any_contains(reader.warnings(), "offset " + std::to_string(b.offset)));
}

TEST(Corruption, FlippedHeaderByteResyncsOnTheNextBlock) {
  TempDir dir;
  auto r = record(dir.path());
  flip_byte(r.file, r.blocks[3].offset + 5);  // stored length
  RecordingReader reader(dir.path());
  EXPECT_EQ(reader.read_range(INT64_MIN, INT64_MAX), without_block(r.written, 3));
  EXPECT_TRUE(any_contains(reader.warnings(), "corrupt block skipped"));
}

TEST(Corruption, TruncatedMidBlockKeepsEverythingBefore) {
  TempDir dir;
  auto r = record(dir.path());
  const auto& b = r.blocks[4];
  std::filesystem::resize_file(r.file, b.offset + kBlockHeaderSize + b.stored_len / 3);
  RecordingReader reader(dir.path());
  auto read = reader.read_range(INT64_MIN, INT64_MAX);
  std::vector<model::Snapshot> expected(r.written.begin(), r.written.begin() + 4 * kPerBlock);
  EXPECT_EQ(read, expected);
  EXPECT_FALSE(reader.warnings().empty());
}

TEST(Corruption, CursorStepsOverABadBlock) {
  TempDir dir;
  auto r = record(dir.path());
  flip_byte(r.file, r.blocks[1].offset + kBlockHeaderSize + 3);
  RecordingReader reader(dir.path());
  RecordingCursor cur(reader);
  EXPECT_EQ(cur.seek(r.written[6].time_ns)->snapshot.seq, 6u);
  EXPECT_EQ(cur.step(1)->snapshot.seq, 14u);  // 7..13 were in the bad block
  EXPECT_EQ(cur.step(-1)->snapshot.seq, 6u);
}

TEST(Corruption, WriterCutsATornTailAndAppendsAfterTheLastGoodBlock) {
  TempDir dir;
  auto r = record(dir.path());
  const auto& b = r.blocks[5];
  std::filesystem::resize_file(r.file, b.offset + 17);  // a crash mid-write
  {
    RecorderOptions o;
    o.dir = dir.path();
    o.downsample = false;
    Recorder rec(o);
    rec.append(rich_snapshot(100));
  }
  RecordingReader reader(dir.path());
  auto read = reader.read_range(INT64_MIN, INT64_MAX);
  ASSERT_EQ(read.size(), 5 * kPerBlock + 1);
  EXPECT_EQ(read.back().seq, 100u);
  EXPECT_TRUE(reader.warnings().empty());
}

TEST(Corruption, NotARecordingIsAWarningNotACrash) {
  TempDir dir;
  std::ofstream(dir.path() / "2026-01-01.full.kpr") << "hello, not a segment";
  RecordingReader reader(dir.path());
  EXPECT_FALSE(reader.time_range());
  EXPECT_TRUE(any_contains(reader.warnings(), "not a kpulse recording segment"));
  EXPECT_THROW(RecordingReader(dir.path() / "missing"), RecordError);
}

}  // namespace
}  // namespace kpulse::record
