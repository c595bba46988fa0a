#include "analytics/history_ring.h"

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

const HistoryTier kTiers[] = {{1, 60}, {10, 60}, {100, 60}};

TEST(HistoryRing, FinestTierKeepsEverySample) {
  SeriesRing r(kTiers);
  for (int t = 1000; t < 1010; ++t) r.append(t, t * 2.0);
  const auto pts = r.range(1000, 1009);
  ASSERT_EQ(pts.size(), 10u);
  EXPECT_EQ(pts[3].t, 1003);
  EXPECT_EQ(pts[3].seconds, 1);
  EXPECT_DOUBLE_EQ(pts[3].mean, 2006.0);
  EXPECT_EQ(pts[3].count, 1u);
}

TEST(HistoryRing, CoarseBucketsHoldMinMaxMean) {
  SeriesRing r(kTiers);
  for (int t = 0; t < 30; ++t) r.append(t, t);  // 0..29
  const auto pts = r.range_in_tier(1, 0, 29);
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_EQ(pts[1].t, 10);
  EXPECT_DOUBLE_EQ(pts[1].min, 10);
  EXPECT_DOUBLE_EQ(pts[1].max, 19);
  EXPECT_DOUBLE_EQ(pts[1].mean, 14.5);
  EXPECT_EQ(pts[1].count, 10u);
}

TEST(HistoryRing, RangePicksTheFinestTierThatReachesBack) {
  SeriesRing r(kTiers);
  for (int t = 0; t < 5000; ++t) r.append(t, 1.0);
  // Tier 0 holds 4940..4999, tier 1 4400..4999, tier 2 everything.
  EXPECT_EQ(r.oldest(0), 4940);
  EXPECT_EQ(r.oldest(1), 4400);
  EXPECT_EQ(r.range(4950, 4999).front().seconds, 1);
  EXPECT_EQ(r.range(4500, 4999).front().seconds, 10);
  EXPECT_EQ(r.range(100, 4999).front().seconds, 100);
  EXPECT_EQ(r.range(100, 4999).size(), 49u);  // buckets 100..4900
}

TEST(HistoryRing, AGapLeavesNoStaleBuckets) {
  const HistoryTier tiny[] = {{1, 10}};
  SeriesRing r(tiny);
  for (int t = 0; t < 10; ++t) r.append(t, 7);
  r.append(15, 9);  // retention now 6..15; 10..14 never written
  const auto pts = r.range(0, 15);
  ASSERT_EQ(pts.size(), 5u);
  EXPECT_EQ(pts[0].t, 6);
  EXPECT_EQ(pts[3].t, 9);
  EXPECT_EQ(pts[4].t, 15);
  EXPECT_DOUBLE_EQ(pts[4].mean, 9);
  r.append(100, 1);  // a jump beyond the whole ring clears it
  ASSERT_EQ(r.range(0, 100).size(), 1u);
}

TEST(HistoryRing, LateSamplesMergeOrAreDropped) {
  const HistoryTier tiny[] = {{1, 10}};
  SeriesRing r(tiny);
  r.append(20, 1);
  r.append(20, 3);
  r.append(15, 5);  // inside retention: kept
  r.append(5, 9);   // too old: ignored
  const auto pts = r.range(0, 20);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_DOUBLE_EQ(pts[0].mean, 5);
  EXPECT_DOUBLE_EQ(pts[1].mean, 2);
  EXPECT_DOUBLE_EQ(pts[1].min, 1);
  EXPECT_DOUBLE_EQ(pts[1].max, 3);
}

TEST(HistoryRing, MemoryIsFixedAtConstruction) {
  SeriesRing r(kTiers);
  const size_t before = r.memory_bytes();
  EXPECT_GE(before, 180u * 16u);
  for (int t = 0; t < 100000; ++t) r.append(t, t);
  EXPECT_EQ(r.memory_bytes(), before);
}

}  // namespace
}  // namespace kpulse::analytics
