#include "analytics/anomaly_art.h"

#include <algorithm>
#include <cmath>

namespace kpulse::analytics {
namespace {

// Fuzzy ART's choice parameter: small, so the choice prefers the category
// that needs to grow least, and among those the most specific one.
constexpr double kChoiceAlpha = 1e-3;

}  // namespace

ArtAnomalyDetector::ArtAnomalyDetector(ArtDetectorConfig config)
    : cfg_(config), window_(std::clamp(config.window, 1, kMaxWindow)) {
  const auto count = size_t(std::max(config.categories, 1));
  categories_.assign(count, {});
  lower_.assign(count * size_t(window_), 0.0);
  upper_.assign(count * size_t(window_), 0.0);
  recent_.assign(size_t(window_), 0.0);
}

double ArtAnomalyDetector::window_value(int k) const {
  // k = 0 is the oldest value of the window.
  return recent_[size_t((head_ + k) % window_)];
}

bool ArtAnomalyDetector::resonate(double span) {
  // Sizes in units of the range: the box's own, and grown to hold the window.
  const double w = double(window_);
  int best = -1;
  double best_choice = -1;
  for (size_t c = 0; c < categories_.size(); ++c) {
    if (!categories_[c].used) continue;
    const double* lower = &lower_[c * size_t(window_)];
    const double* upper = &upper_[c * size_t(window_)];
    double own = 0;
    double grown = 0;
    for (int k = 0; k < window_; ++k) {
      const double v = window_value(k);
      own += upper[k] - lower[k];
      grown += std::max(upper[k], v) - std::min(lower[k], v);
    }
    const double match = 1.0 - grown / (w * span);
    if (match < cfg_.vigilance) continue;
    const double choice = (w - grown / span) / (kChoiceAlpha + w - own / span);
    if (choice > best_choice) {
      best_choice = choice;
      best = int(c);
    }
  }
  if (best < 0) return false;
  double* lower = &lower_[size_t(best) * size_t(window_)];
  double* upper = &upper_[size_t(best) * size_t(window_)];
  for (int k = 0; k < window_; ++k) {
    lower[k] = std::min(lower[k], window_value(k));
    upper[k] = std::max(upper[k], window_value(k));
  }
  categories_[size_t(best)].last_used = n_;
  return true;
}

void ArtAnomalyDetector::found(int64_t now) {
  // A free slot, else the category that resonated least recently.
  size_t slot = 0;
  for (size_t c = 0; c < categories_.size(); ++c) {
    if (!categories_[c].used) {
      slot = c;
      break;
    }
    if (categories_[c].last_used < categories_[slot].last_used) slot = c;
  }
  categories_[slot] = {now, true};
  for (int k = 0; k < window_; ++k)
    lower_[slot * size_t(window_) + size_t(k)] = upper_[slot * size_t(window_) + size_t(k)] =
        window_value(k);
  ++founded_;
}

double ArtAnomalyDetector::update(double x) {
  if (std::isnan(x)) return 0.0;
  x = std::clamp(x, -1e100, 1e100);
  if (n_ == 0) lo_ = hi_ = x;
  lo_ = std::min(lo_, x);
  hi_ = std::max(hi_, x);
  recent_[size_t(head_)] = x;
  head_ = (head_ + 1) % window_;
  ++n_;
  if (n_ < window_) return 0.0;
  // A flat series has no range yet: any change is then infinitely far.
  const double span = std::max(hi_ - lo_, 1e-12 * std::max({1.0, std::fabs(hi_), std::fabs(lo_)}));
  const bool novel = !resonate(span);
  if (novel) found(n_);
  if (n_ <= cfg_.warmup_samples) return 0.0;
  const double score = novel ? 1.0 : 0.0;
  if (cfg_.rest_samples > 0) {
    if (rest_left_ > 0) --rest_left_;
    // A range that doubled since the rest began: beyond the episode's scale.
    const bool new_episode = span > 2.0 * rest_span_;
    if (rest_left_ > 0 && score <= rest_peak_ && !new_episode) return 0.0;
    if (score > 0) {
      rest_peak_ = score;
      rest_span_ = span;
      rest_left_ = cfg_.rest_samples + 1;
    }
  }
  return score;
}

}  // namespace kpulse::analytics
