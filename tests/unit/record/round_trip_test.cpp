#include <gtest/gtest.h>

#include "record/reader.h"
#include "record/recorder.h"
#include "record/segment_dir.h"
#include "record_test_util.h"

namespace kpulse::record {
namespace {

using testing::kSecond;
using testing::rich_snapshot;
using testing::TempDir;

std::vector<model::Snapshot> record_all(const std::filesystem::path& dir, Codec codec, int n,
                                        int64_t start_ns, uint32_t frames_per_block = 7) {
  RecorderOptions o;
  o.dir = dir;
  o.codec = codec;
  o.frames_per_block = frames_per_block;
  std::vector<model::Snapshot> written;
  Recorder rec(o);
  for (int i = 0; i < n; ++i) {
    written.push_back(rich_snapshot(static_cast<uint64_t>(i), start_ns));
    rec.append(written.back());
  }
  rec.flush();
  EXPECT_EQ(rec.status().state, RecorderState::Ok) << rec.status().last_error;
  EXPECT_EQ(rec.status().snapshots, static_cast<uint64_t>(n));
  return written;
}

class RoundTrip : public ::testing::TestWithParam<Codec> {};

TEST_P(RoundTrip, ReadsBackExactlyWhatWasWritten) {
  TempDir dir;
  const int64_t start = 1'780'000'000 * kSecond;
  auto written = record_all(dir.path(), GetParam(), 40, start);
  RecordingReader reader(dir.path());
  EXPECT_TRUE(reader.warnings().empty());
  auto range = reader.time_range();
  ASSERT_TRUE(range);
  EXPECT_EQ(range->first_ns, written.front().time_ns);
  EXPECT_EQ(range->last_ns, written.back().time_ns);
  auto read = reader.read_range(range->first_ns, range->last_ns);
  ASSERT_EQ(read.size(), written.size());
  for (size_t i = 0; i < read.size(); ++i) EXPECT_EQ(read[i], written[i]) << "snapshot " << i;
}

INSTANTIATE_TEST_SUITE_P(Codecs, RoundTrip,
                         ::testing::Values(Codec::Zstd, Codec::Zlib, Codec::None));

TEST(RoundTrip, ComponentsComingAndGoingKeepTheirValues) {
  TempDir dir;
  std::vector<model::Snapshot> written;
  {
    RecorderOptions o;
    o.dir = dir.path();
    Recorder rec(o);
    for (uint64_t i = 0; i < 20; ++i) {
      auto s = rich_snapshot(i);
      // Drop a different component each time and rename one process.
      s.components.erase(s.components.begin() + 1 + static_cast<long>(i % 5));
      s.components.back().name = "renamed-" + std::to_string(i % 2);
      written.push_back(s);
      rec.append(s);
    }
  }
  RecordingReader reader(dir.path());
  auto read = reader.read_range(INT64_MIN, INT64_MAX);
  ASSERT_EQ(read.size(), written.size());
  for (size_t i = 0; i < read.size(); ++i) EXPECT_EQ(read[i], written[i]) << "snapshot " << i;
}

TEST(RoundTrip, OneSegmentPerUtcDay) {
  TempDir dir;
  // 30 snapshots one second apart straddling midnight UTC.
  const int64_t midnight = 20'600 * kDayNs;
  auto written = record_all(dir.path(), Codec::Zstd, 30, midnight - 15 * kSecond, 60);
  int full = 0;
  for (const auto& f : list_segments(dir.path())) full += f.tier == Tier::Full;
  EXPECT_EQ(full, 2);
  RecordingReader reader(dir.path());
  auto read = reader.read_range(INT64_MIN, INT64_MAX);
  ASSERT_EQ(read.size(), written.size());
  for (size_t i = 0; i < read.size(); ++i) EXPECT_EQ(read[i], written[i]);
  EXPECT_EQ(reader.read_range(midnight, INT64_MAX).size(), 15u);
}

TEST(Cursor, SeeksAndStepsBothWaysAcrossBlocks) {
  TempDir dir;
  auto written = record_all(dir.path(), Codec::Zstd, 25, 1'780'000'000 * kSecond, 4);
  RecordingReader reader(dir.path());
  RecordingCursor cur(reader);
  auto at = cur.seek(written[9].time_ns - 1);  // between 8 and 9: the next one
  ASSERT_TRUE(at);
  EXPECT_EQ(at->snapshot.seq, 9u);
  EXPECT_EQ(cur.step(5)->snapshot.seq, 14u);
  EXPECT_EQ(cur.step(-11)->snapshot.seq, 3u);
  EXPECT_EQ(cur.step(-10)->snapshot.seq, 0u);  // stops at the start
  EXPECT_FALSE(cur.step(-1));                  // already there
  EXPECT_EQ(cur.last()->snapshot.seq, 24u);
  EXPECT_FALSE(cur.step(1));
  EXPECT_EQ(cur.seek(INT64_MAX)->snapshot.seq, 24u);  // past the end: the last
  EXPECT_EQ(cur.first()->snapshot, written[0]);
}

}  // namespace
}  // namespace kpulse::record
