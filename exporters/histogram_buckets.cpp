#include "exporters/histogram_buckets.h"

#include <charconv>
#include <cmath>

namespace kpulse::exporters {

std::span<const double> explicit_bounds_seconds() {
  static const auto bounds = [] {
    std::array<double, kExplicitBounds> b{};
    for (int i = 0; i < kExplicitBounds; ++i)
      b[i] = double(model::slot_upper_bound_ns(i) - 1) / 1e9;
    return b;
  }();
  return bounds;
}

std::span<const std::string> prometheus_le_values() {
  static const auto values = [] {
    std::array<std::string, model::kHistogramSlots> v;
    const auto bounds = explicit_bounds_seconds();
    for (int i = 0; i < kExplicitBounds; ++i) append_double(v[i], bounds[i]);
    v[kExplicitBounds] = "+Inf";
    return v;
  }();
  return values;
}

uint64_t bucket_total(const model::Log2Histogram& h) {
  uint64_t n = 0;
  for (uint64_t s : h.slots) n += s;
  return n;
}

void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace kpulse::exporters
