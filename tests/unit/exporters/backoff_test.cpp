#include "exporters/backoff.h"

#include <gtest/gtest.h>

namespace kpulse::exporters {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesFromInitialUpToTheCap) {
  RetryPolicy p;
  p.initial_backoff = milliseconds(100);
  p.max_backoff = milliseconds(1000);
  // jitter01 -> 1.0 gives the full delay, 0.0 half of it.
  EXPECT_EQ(backoff_delay(p, 0, 1.0), milliseconds(100));
  EXPECT_EQ(backoff_delay(p, 1, 1.0), milliseconds(200));
  EXPECT_EQ(backoff_delay(p, 2, 1.0), milliseconds(400));
  EXPECT_EQ(backoff_delay(p, 3, 1.0), milliseconds(800));
  EXPECT_EQ(backoff_delay(p, 4, 1.0), milliseconds(1000));
  EXPECT_EQ(backoff_delay(p, 30, 1.0), milliseconds(1000));
  EXPECT_EQ(backoff_delay(p, 0, 0.0), milliseconds(50));
  EXPECT_EQ(backoff_delay(p, 4, 0.0), milliseconds(500));
}

TEST(Backoff, JitterStaysWithinHalfToFull) {
  RetryPolicy p;
  for (double j = 0; j < 1; j += 0.05) {
    const auto d = backoff_delay(p, 2, j);
    EXPECT_GE(d, milliseconds(2000));
    EXPECT_LE(d, milliseconds(4000));
  }
}

TEST(RetryAfter, DeltaSecondsAndHttpDate) {
  const auto now =
      std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after(" 3\r\n", now), milliseconds(3000));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), milliseconds(10000));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), milliseconds(0));
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("-1", now));
}

TEST(RetryableStatus, OnlyTheSpecsList) {
  for (long s : {429L, 502L, 503L, 504L}) EXPECT_TRUE(is_retryable_status(s)) << s;
  for (long s : {200L, 400L, 401L, 404L, 413L, 500L, 501L})
    EXPECT_FALSE(is_retryable_status(s)) << s;
}

}  // namespace
}  // namespace kpulse::exporters
