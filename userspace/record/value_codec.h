// Exact coding of one double against the previous value of the same series.
// Most recorded values are integers or short decimals that change by small
// steps (or not at all), so the difference of their scaled integers fits in
// a byte or two; anything else falls back to the raw IEEE bits XOR the
// previous bits. Decoding always reproduces the bit pattern exactly.
#pragma once

#include <cstdint>

namespace kpulse::record {

struct ValueCode {
  uint64_t code = 0;  // zigzag(difference) << 3 | mode
  bool has_raw = false;
  uint64_t raw = 0;  // valid when has_raw
};

ValueCode encode_value(double value, double previous);
// `raw` is consulted only when code's mode says raw.
double decode_value(uint64_t code, uint64_t raw, double previous);
bool code_needs_raw(uint64_t code);

}  // namespace kpulse::record
