#include "record/value_codec.h"

#include <bit>
#include <cmath>

namespace kpulse::record {
namespace {

// Decimal scales tried in order: integers, then milli, micro, nano units
// (seconds derived from nanoseconds round-trip at 1e9).
constexpr double kScales[] = {1.0, 1e3, 1e6, 1e9};
constexpr uint64_t kRawMode = 4;
constexpr double kMaxExact = 9007199254740992.0;  // 2^53

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// The previous value in scaled integer units; both sides compute it the
// same way, so it needs no exactness of its own.
int64_t scaled_previous(double previous, double scale) {
  double x = previous * scale;
  if (!std::isfinite(x) || std::fabs(x) >= kMaxExact) return 0;
  return std::llround(x);
}

}  // namespace

ValueCode encode_value(double value, double previous) {
  const uint64_t bits = std::bit_cast<uint64_t>(value);
  for (uint64_t mode = 0; mode < kRawMode; ++mode) {
    const double scale = kScales[mode];
    const double x = value * scale;
    if (!std::isfinite(x) || std::fabs(x) >= kMaxExact) break;
    const int64_t n = std::llround(x);
    if (std::bit_cast<uint64_t>(static_cast<double>(n) / scale) != bits) continue;
    const int64_t diff = n - scaled_previous(previous, scale);
    return ValueCode{zigzag(diff) << 3 | mode, false, 0};
  }
  return ValueCode{kRawMode, true, bits ^ std::bit_cast<uint64_t>(previous)};
}

bool code_needs_raw(uint64_t code) {
  return (code & 7) == kRawMode;
}

double decode_value(uint64_t code, uint64_t raw, double previous) {
  const uint64_t mode = code & 7;
  if (mode >= kRawMode) return std::bit_cast<double>(raw ^ std::bit_cast<uint64_t>(previous));
  const double scale = kScales[mode];
  const int64_t n = scaled_previous(previous, scale) + unzigzag(code >> 3);
  return static_cast<double>(n) / scale;
}

}  // namespace kpulse::record
