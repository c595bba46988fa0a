#include "analytics/anomaly_likelihood.h"

#include <algorithm>
#include <cmath>

namespace kpulse::analytics {
namespace {
// Numenta's floors on the fitted distribution of the averaged raw score: a
// standard deviation of at least sqrt(3e-4) ~ 0.017.
constexpr double kMinVariance = 3e-4;
}  // namespace

WindowedLikelihood::WindowedLikelihood(double short_samples, double long_half_life)
    : short_rate_(1.0 / std::max(1.0, short_samples)),
      long_rate_(1.0 - std::exp(std::log(0.5) / std::max(1.0, long_half_life))) {}

double WindowedLikelihood::update(double raw) {
  raw = std::clamp(std::isnan(raw) ? 0.0 : raw, 0.0, 1.0);
  recent_ += short_rate_ * (raw - recent_);
  seen_ += 1;
  double p = 1.0;
  // The distribution is trusted once it has seen a few short windows.
  if (seen_ > 4.0 / short_rate_) {
    const double sd = std::sqrt(std::max(variance_, kMinVariance));
    p = 0.5 * std::erfc((recent_ - mean_) / (sd * std::sqrt(2.0)));
  }
  // Plain averaging at first, then exponential forgetting.
  const double rate = std::max(long_rate_, 1.0 / seen_);
  const double d = recent_ - mean_;
  mean_ += rate * d;
  variance_ = (1.0 - rate) * (variance_ + rate * d * d);
  return p;
}

}  // namespace kpulse::analytics
