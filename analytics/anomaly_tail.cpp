#include "analytics/anomaly_tail.h"

#include <algorithm>
#include <cmath>

namespace kpulse::analytics {
namespace {
// Bins cover z from kLow to kLow * kRatio^kBins (1e-2 .. ~1e4); below and
// above fall into the end bins.
constexpr double kLow = 1e-2;
constexpr double kLogRatio = 0.144;  // ln(1.155): 96 bins span six decades
}  // namespace

SurpriseTail::SurpriseTail(double half_life, double record_rise, double episode_half_life)
    : bins_(half_life),
      record_rise_(record_rise),
      episode_decay_(std::exp(std::log(0.5) / episode_half_life)) {}

int SurpriseTail::bin_of(double z) {
  if (!(z > kLow)) return 0;  // also NaN
  // Compared as doubles: converting an infinite or huge quotient to int (z =
  // inf from an overflowing series) is undefined and indexed out of range.
  const double b = std::log(z / kLow) / kLogRatio;
  return b < kBins - 1 ? int(b) : kBins - 1;
}

double SurpriseTail::tail(double z) const {
  const double n = bins_.count() + 1.0;  // +1: one imaginary sample above everything
  const double record = std::max(max_z_, episode_z_);
  if (z > record) {
    // Beyond every past value: rarer the further past the record it is, and
    // steeply so (power 4), so that a new record by a wide margin outranks the
    // top of a heavy-tailed series' history.
    const double ratio = record > 0 ? record / z : 0.0;
    const double r2 = ratio * ratio;
    return r2 * r2 / n;
  }
  const int b = bin_of(z);
  // Within z's own bin, assume the mass is spread evenly in log z.
  const double lo = kLow * std::exp(kLogRatio * b);
  const double frac = z > lo ? std::min(1.0, std::log(z / lo) / kLogRatio) : 0.0;
  const double above = bins_.from(size_t(b) + 1) + bins_.in(size_t(b)) * (1.0 - frac);
  return std::min(1.0, (above + 1.0) / n);  // rounding may pass 1
}

void SurpriseTail::add(double z) {
  if (std::isnan(z)) return;
  z = std::min(z, 1e300);  // an infinite record would never fade
  bins_.add(size_t(bin_of(z)));
  // The record fades too, so a one-off extreme long ago does not mask today's.
  // A surprise far beyond it (an incident) lifts it by record_rise at most:
  // the rest only masks the incident's own next samples, and fades fast.
  episode_z_ *= episode_decay_;
  max_z_ *= bins_.decay();
  const double cap = max_z_ > 0 ? record_rise_ * max_z_ : z;
  max_z_ = std::max(max_z_, std::min(z, cap));
  if (z > cap) episode_z_ = std::max(episode_z_, z);
}

}  // namespace kpulse::analytics
