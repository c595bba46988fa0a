#include "nab/score_rarity.h"

#include <algorithm>
#include <cmath>

namespace kpulse::bench {

ScoreRarity::ScoreRarity(double half_life, double full_score_decades)
    : bins_(std::max(half_life, 1.0)), full_score_decades_(std::max(full_score_decades, 1e-3)) {}

double ScoreRarity::update(double score) {
  const double s = std::isnan(score) ? 0.0 : std::clamp(score, 0.0, 1.0);
  const int bin = std::min(kBins - 1, int(s * (kBins - 1)));
  // +1 on both sides: one imaginary past score at least as high, so the
  // first samples and a new maximum stay finite, as the baseline's ranks do.
  const double n = bins_.count() + 1.0;
  const double p = std::min(1.0, (bins_.from(size_t(bin)) + 1.0) / n);
  bins_.add(size_t(bin));
  const double v = -std::log10(p) / full_score_decades_;
  return v > 0 ? std::min(v, 1.0) : 0.0;
}

}  // namespace kpulse::bench
