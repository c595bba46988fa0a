#include "exporters/histogram_buckets.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace kpulse::exporters {
namespace {

TEST(HistogramBuckets, BoundsAreSlotUpperBoundsInSeconds) {
  const auto b = explicit_bounds_seconds();
  ASSERT_EQ(b.size(), size_t(model::kHistogramSlots - 1));
  EXPECT_DOUBLE_EQ(b[0], 1e-9);
  EXPECT_DOUBLE_EQ(b[9], 1023e-9);
  EXPECT_DOUBLE_EQ(b[b.size() - 1], double((uint64_t{1} << 35) - 1) / 1e9);
  for (size_t i = 1; i < b.size(); ++i) EXPECT_DOUBLE_EQ(b[i], 2 * b[i - 1] + 1e-9);
}

TEST(HistogramBuckets, EveryRecordedValueFallsUnderItsBucketsBound) {
  // A value in slot i must satisfy v <= bound[i] (Prometheus le, OTLP (lo, hi]).
  const auto b = explicit_bounds_seconds();
  for (uint64_t v : {0ull, 1ull, 2ull, 3ull, 4ull, 1000ull, 1023ull, 1024ull, 999999ull, 1ull << 34,
                     (1ull << 35) - 1}) {
    const int slot = model::slot_for_ns(v);
    if (slot < int(b.size())) {
      EXPECT_LE(double(v) / 1e9, b[slot]) << v;
      if (slot > 0) {
        EXPECT_GT(double(v) / 1e9, b[slot - 1]) << v;
      }
    }
  }
}

TEST(HistogramBuckets, LeValuesReadBackExactlyAndEndWithInf) {
  const auto le = prometheus_le_values();
  const auto b = explicit_bounds_seconds();
  ASSERT_EQ(le.size(), size_t(model::kHistogramSlots));
  for (size_t i = 0; i < b.size(); ++i)
    EXPECT_EQ(std::strtod(le[i].c_str(), nullptr), b[i]) << le[i];
  EXPECT_EQ(le.back(), "+Inf");
}

TEST(HistogramBuckets, TotalAndSumFollowTheSlots) {
  model::Log2Histogram h;
  h.record(500);
  h.record(1'500'000);
  h.record(1'500'000);
  EXPECT_EQ(bucket_total(h), 3u);
  EXPECT_DOUBLE_EQ(sum_seconds(h), 3'000'500e-9);
}

TEST(AppendDouble, ShortestRoundTripAndSpecials) {
  std::string s;
  append_double(s, 0.1);
  s += ' ';
  append_double(s, 42);
  s += ' ';
  append_double(s, 1.0 / 0.0);
  s += ' ';
  append_double(s, -1.0 / 0.0);
  s += ' ';
  append_double(s, 0.0 / 0.0);
  EXPECT_EQ(s, "0.1 42 +Inf -Inf NaN");
}

}  // namespace
}  // namespace kpulse::exporters
