#include "nab/score_rarity.h"

#include <algorithm>
#include <cmath>

namespace kpulse::bench {

ScoreRarity::ScoreRarity(double half_life, double full_score_decades)
    : decay_(std::exp(std::log(0.5) / std::max(half_life, 1.0))),
      full_score_decades_(std::max(full_score_decades, 1e-3)) {}

double ScoreRarity::update(double score) {
  const double s = std::isnan(score) ? 0.0 : std::clamp(score, 0.0, 1.0);
  const int bin = std::min(kBins - 1, int(s * (kBins - 1)));
  double at_least = 0;
  for (int i = bin; i < kBins; ++i) at_least += bins_[size_t(i)];
  // +1 on both sides: one imaginary past score at least as high, so the
  // first samples and a new maximum stay finite, as the baseline's ranks do.
  const double n = total_ / weight_ + 1.0;
  const double p = std::min(1.0, (at_least / weight_ + 1.0) / n);
  // Newer scores weigh more (1/decay per sample) instead of decaying every
  // bin; rescaled before the weights overflow.
  weight_ /= decay_;
  if (weight_ > 1e150) {
    for (double& b : bins_) b /= weight_;
    total_ /= weight_;
    weight_ = 1.0;
  }
  total_ += weight_;
  bins_[size_t(bin)] += weight_;
  const double v = -std::log10(p) / full_score_decades_;
  return v > 0 ? std::min(v, 1.0) : 0.0;
}

}  // namespace kpulse::bench
