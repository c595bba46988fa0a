#include "model/histogram.h"

#include <gtest/gtest.h>

namespace kpulse::model {
namespace {

TEST(Log2Histogram, SlotRuleMatchesFloorLog2) {
  EXPECT_EQ(slot_for_ns(0), 0);
  EXPECT_EQ(slot_for_ns(1), 0);
  EXPECT_EQ(slot_for_ns(2), 1);
  EXPECT_EQ(slot_for_ns(3), 1);
  EXPECT_EQ(slot_for_ns(1024), 10);
  EXPECT_EQ(slot_for_ns(2047), 10);
  EXPECT_EQ(slot_for_ns(~uint64_t{0}), kHistogramSlots - 1);
}

TEST(Log2Histogram, QuantileInterpolatesInsideSlot) {
  Log2Histogram h;
  for (int i = 0; i < 100; ++i) h.record(1500);  // slot 10: [1024, 2048)
  EXPECT_EQ(h.count, 100u);
  EXPECT_EQ(h.sum_ns, 150000u);
  EXPECT_GE(h.quantile_ns(0.5), 1024);
  EXPECT_LT(h.quantile_ns(0.5), 2048);
  EXPECT_DOUBLE_EQ(h.quantile_ns(1.0), 2048);
  Log2Histogram empty;
  EXPECT_EQ(empty.quantile_ns(0.99), 0);
}

TEST(Log2Histogram, P99SeparatesTail) {
  Log2Histogram h;
  for (int i = 0; i < 990; ++i) h.record(1000);    // slot 9
  for (int i = 0; i < 10; ++i) h.record(1000000);  // slot 19
  EXPECT_LT(h.quantile_ns(0.5), 1024);
  EXPECT_LE(h.quantile_ns(0.99), 1024);
  EXPECT_GE(h.quantile_ns(0.995), 524288);
}

TEST(Log2Histogram, MinusGivesIntervalAndSurvivesReset) {
  Log2Histogram older, newer;
  older.record(10);
  newer = older;
  newer.record(5000);
  newer.record(5000);
  Log2Histogram d = newer.minus(older);
  EXPECT_EQ(d.count, 2u);
  EXPECT_EQ(d.slots[slot_for_ns(5000)], 2u);
  EXPECT_EQ(d.slots[slot_for_ns(10)], 0u);
  // A reset (newer smaller than older) yields the newer value, not garbage.
  Log2Histogram reset;
  reset.record(7);
  EXPECT_EQ(reset.minus(newer), reset);
}

}  // namespace
}  // namespace kpulse::model
