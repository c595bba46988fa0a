#include "analytics/anomaly_tail.h"

#include <cmath>
#include <limits>

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

TEST(SurpriseTail, AnIncidentMasksItsAftermathButNotTheNextIncident) {
  // Surprises around 1, one incident of 100, then more ordinary samples and
  // a second incident of 10: far above anything ordinary, far below the first.
  auto feed = [](SurpriseTail& t, double& right_after, double& day_later) {
    for (int i = 0; i < 1000; ++i) t.add(1.0 + 0.001 * (i % 10));
    t.add(100.0);
    right_after = t.tail(50.0);  // the incident's own next sample
    for (int i = 0; i < 230; ++i) t.add(1.0 + 0.001 * (i % 10));
    day_later = t.tail(10.0);
  };
  SurpriseTail unlimited(500);
  SurpriseTail limited(500, 5.0, 24);
  double unlimited_after = 0, unlimited_later = 0, limited_after = 0, limited_later = 0;
  feed(unlimited, unlimited_after, unlimited_later);
  feed(limited, limited_after, limited_later);
  // Right after the incident both still rank a half-size repeat as ordinary
  // for a record: it is below the incident.
  EXPECT_GT(limited_after, 1e-3);
  EXPECT_NEAR(limited_after, unlimited_after, 1e-12);
  // 230 samples on, the unlimited record still sits near 100 * 2^(-230/500),
  // so 10 is not a record there; with the rise limited it is, by a margin.
  EXPECT_GT(unlimited_later, 1e-3);
  EXPECT_LT(limited_later, unlimited_later / 20);
}

TEST(SurpriseTail, RecordsWithinTheRiseLimitBehaveAsBefore) {
  SurpriseTail unlimited(1e9);
  SurpriseTail limited(1e9, 5.0, 24);
  for (int i = 1; i <= 1000; ++i) {
    unlimited.add(i * 0.01);
    limited.add(i * 0.01);
  }
  for (double z : {0.5, 5.0, 9.99, 12.0, 40.0})
    EXPECT_DOUBLE_EQ(limited.tail(z), unlimited.tail(z));
}

TEST(SurpriseTail, InfiniteAndNaNSurprisesStayInRange) {
  // z = inf (a series alternating +-1e308) indexed a bin far past the end.
  SurpriseTail tail(100, 5.0, 24);
  const double inf = std::numeric_limits<double>::infinity();
  for (int i = 0; i < 10; ++i) {
    tail.add(1.0);
    tail.add(inf);
    tail.add(std::nan(""));
    tail.add(1e300);
  }
  for (double z : {0.5, 1e300, inf}) {
    const double p = tail.tail(z);
    EXPECT_TRUE(p >= 0.0 && p <= 1.0) << z << ": " << p;
  }
}

}  // namespace
}  // namespace kpulse::analytics
