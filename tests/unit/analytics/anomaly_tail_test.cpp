#include "analytics/anomaly_tail.h"

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

TEST(SurpriseTail, TailIsTheShareOfPastSurprisesAtLeastAsLarge) {
  SurpriseTail tail(1e9);                              // no forgetting
  for (int i = 1; i <= 1000; ++i) tail.add(i * 0.01);  // 0.01 .. 10
  EXPECT_NEAR(tail.tail(5.0), 0.5, 0.05);
  EXPECT_NEAR(tail.tail(9.0), 0.1, 0.03);
  EXPECT_GT(tail.tail(0.5), 0.9);
}

TEST(SurpriseTail, RecordsRankBelowEverythingSeenAndByMargin) {
  SurpriseTail tail(1e9);
  for (int i = 1; i <= 1000; ++i) tail.add(i * 0.01);
  const double at_max = tail.tail(9.99);
  const double record = tail.tail(12.0);
  const double big_record = tail.tail(40.0);
  EXPECT_LT(record, 1.0 / 1000);
  EXPECT_LT(record, at_max);
  EXPECT_LT(big_record, record / 100);
}

TEST(SurpriseTail, OldSurprisesFade) {
  SurpriseTail tail(100);
  tail.add(50.0);
  for (int i = 0; i < 50; ++i) tail.add(1.0);
  const double soon = tail.tail(40.0);
  for (int i = 0; i < 1000; ++i) tail.add(1.0);
  EXPECT_LT(tail.tail(40.0), soon / 10);
}

}  // namespace
}  // namespace kpulse::analytics
