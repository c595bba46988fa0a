#include <gtest/gtest.h>

#include <set>

#include "record/recorder.h"
#include "record/segment_dir.h"
#include "record_test_util.h"

namespace kpulse::record {
namespace {

using testing::kSecond;
using testing::rich_snapshot;

constexpr int64_t kToday = 20'700;  // a day number

std::set<int64_t> days(const std::filesystem::path& dir, Tier tier) {
  std::set<int64_t> out;
  for (const auto& f : list_segments(dir))
    if (f.tier == tier) out.insert(f.day);
  return out;
}

// One snapshot an hour into each of the six days up to kToday.
void record_six_days(Recorder& rec) {
  for (int64_t d = kToday - 5; d <= kToday; ++d)
    rec.append(rich_snapshot(static_cast<uint64_t>(d), d * kDayNs + 3600 * kSecond));
}

TEST(Retention, DeletesEachTierByAge) {
  testing::TempDir dir;
  RecorderOptions o;
  o.dir = dir.path();
  o.retention = {.full_days = 1, .minute_days = 2, .hour_days = 3, .max_total_bytes = 0};
  Recorder rec(o);
  record_six_days(rec);
  rec.flush();
  rec.apply_retention();
  // A file goes once its whole day is older than the limit.
  EXPECT_EQ(days(dir.path(), Tier::Full), (std::set<int64_t>{kToday - 1, kToday}));
  // The tiers' buckets close when the next snapshot arrives: today's is
  // still open.
  EXPECT_EQ(days(dir.path(), Tier::Minute), (std::set<int64_t>{kToday - 2, kToday - 1}));
  EXPECT_EQ(days(dir.path(), Tier::Hour), (std::set<int64_t>{kToday - 3, kToday - 2, kToday - 1}));
  EXPECT_GT(rec.status().retention_deleted, 0u);
}

TEST(Retention, SizeCapDropsTheOldestFullResolutionFirst) {
  testing::TempDir dir;
  uint64_t total = 0, oldest_full = 0;
  {
    RecorderOptions o;
    o.dir = dir.path();
    o.retention = {
        .full_days = 10000, .minute_days = 10000, .hour_days = 10000, .max_total_bytes = 0};
    Recorder rec(o);
    record_six_days(rec);
  }
  for (const auto& f : list_segments(dir.path())) {
    total += f.bytes;
    if (f.tier == Tier::Full && f.day == kToday - 5) oldest_full = f.bytes;
  }
  ASSERT_GT(oldest_full, 0u);
  RecorderOptions o;
  o.dir = dir.path();
  o.retention = {.full_days = 10000,
                 .minute_days = 10000,
                 .hour_days = 10000,
                 .max_total_bytes = total - oldest_full};
  Recorder rec(o);
  rec.apply_retention();
  EXPECT_EQ(days(dir.path(), Tier::Full).size(), 5u);
  EXPECT_FALSE(days(dir.path(), Tier::Full).contains(kToday - 5));
  EXPECT_EQ(days(dir.path(), Tier::Minute).size(), 6u);
  EXPECT_EQ(days(dir.path(), Tier::Hour).size(), 6u);
}

TEST(Retention, DefaultsKeepFiveWeeksAtReducedResolution) {
  RetentionPolicy p;
  EXPECT_GE(std::max(p.minute_days, p.hour_days), 35);
}

}  // namespace
}  // namespace kpulse::record
