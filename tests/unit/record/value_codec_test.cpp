#include "record/value_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

namespace kpulse::record {
namespace {

uint64_t bits(double v) {
  return std::bit_cast<uint64_t>(v);
}

double round_trip(double v, double prev) {
  ValueCode c = encode_value(v, prev);
  EXPECT_EQ(c.has_raw, code_needs_raw(c.code));
  return decode_value(c.code, c.raw, prev);
}

TEST(ValueCodec, RoundTripsEveryKindOfDoubleBitForBit) {
  const double specials[] = {0.0,
                             -0.0,
                             1.0,
                             -1.0,
                             0.1,
                             1.0 / 3.0,
                             123456789.123456789,
                             1e300,
                             -1e-300,
                             std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(),
                             9007199254740993.0,
                             4503599627370497.5,
                             12.345678901};
  for (double v : specials)
    for (double prev : specials)
      EXPECT_EQ(bits(round_trip(v, prev)), bits(v)) << v << " after " << prev;
}

TEST(ValueCodec, SmallIntegerAndDecimalStepsFitInOneByte) {
  // Counters that moved by a few units, gauges unchanged, seconds kept in
  // nanosecond precision: all code to < 2^7 (one varint byte).
  EXPECT_LT(encode_value(1000005, 1000000).code, 128u);
  EXPECT_EQ(encode_value(42.5, 42.5).has_raw, false);
  EXPECT_LT(encode_value(42.5, 42.5).code, 128u);
  EXPECT_LT(encode_value(12.000000003, 12.000000001).code, 128u);
  EXPECT_FALSE(encode_value(0.25, 0.5).has_raw);
  // A computed ratio has no short decimal form: raw bits.
  EXPECT_TRUE(encode_value(1.0 / 3.0, 0.3).has_raw);
}

}  // namespace
}  // namespace kpulse::record
