// Log2 nanosecond histograms (model/histogram.h) as explicit-bound histograms
// in seconds, the form OTLP and Prometheus both carry.
//
// Slot i holds the integer nanosecond values [2^i, 2^(i+1) - 1] (slot 0 also
// 0). OTLP buckets are (lo, hi] and Prometheus `le` means <=, so the exact
// upper bound of slot i is 2^(i+1) - 1 ns, not 2^(i+1) ns: with the round
// number a value of exactly 2^(i+1) ns would sit in the bucket above its `le`.
// The last slot is unbounded: it becomes the +Inf bucket. No slot is merged or
// split, so the conversion loses nothing.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "model/histogram.h"

namespace kpulse::exporters {

inline constexpr int kExplicitBounds = model::kHistogramSlots - 1;

// Inclusive upper bounds in seconds of slots 0 .. kHistogramSlots-2.
std::span<const double> explicit_bounds_seconds();
// The same bounds formatted for Prometheus `le` labels ("+Inf" last).
std::span<const std::string> prometheus_le_values();

// Total observations, taken from the slots so that it always equals the sum of
// bucket counts (OTLP requires it).
uint64_t bucket_total(const model::Log2Histogram& h);
inline double sum_seconds(const model::Log2Histogram& h) {
  return double(h.sum_ns) / 1e9;
}

// Shortest text that reads back as the same double; "+Inf", "-Inf", "NaN".
void append_double(std::string& out, double v);

}  // namespace kpulse::exporters
