#include "analytics/anomaly_detector.h"

#include <algorithm>
#include <cmath>

namespace kpulse::analytics {
namespace {

constexpr double kDay = 86400.0;
// Rate of the slow error averages that pick the predictor: long enough that a
// single anomaly does not flip the choice.
constexpr double kChoiceRate = 0.002;

double clip(double v, double limit) {
  return std::clamp(v, -limit, limit);
}

}  // namespace

AnomalyDetector::AnomalyDetector(AnomalyDetectorConfig config) : cfg_(config) {}

void AnomalyDetector::infer_step(double t_unix) {
  if (n_ > 0 && step_ == 0) {
    const double d = t_unix - last_t_;
    if (d > 0) deltas_[n_deltas_++] = d;
    if (n_deltas_ == int(deltas_.size())) {
      std::nth_element(deltas_.begin(), deltas_.begin() + n_deltas_ / 2, deltas_.end());
      step_ = deltas_[n_deltas_ / 2];
      // A day can be profiled only if each bin gets samples; bins are never
      // finer than the step.
      const double bin = std::max(cfg_.bin_seconds, step_);
      if (bin <= kDay / 24) {
        const size_t bins = size_t(std::ceil(kDay / bin));
        season_.assign(bins, 0.0);
        season_n_.assign(bins, 0);
      }
    }
  }
  last_t_ = t_unix;
}

double AnomalyDetector::score_of(double z) const {
  const double excess = std::max(0.0, z - cfg_.quiet_z);
  return excess / (excess + cfg_.half_z);
}

double AnomalyDetector::update(double t, double x) {
  infer_step(t);
  if (n_++ == 0) {
    level_ = season_level_ = x;
    first_t_ = t;
    return 0.0;
  }

  // Plain predictor.
  const double e_plain = x - level_;

  // Seasonal predictor: level plus this time of day's learned offset.
  const bool have_season = !season_.empty();
  size_t bin = 0;
  double e_season = e_plain;
  if (have_season) {
    const double bin_width = kDay / double(season_.size());
    bin = size_t(std::fmod(std::fmod(t, kDay) + kDay, kDay) / bin_width) % season_.size();
    const double offset = season_n_[bin] ? season_[bin] : 0.0;
    e_season = x - (season_level_ + offset);
  }

  // A floor on the scale keeps a perfectly flat series from dividing by zero
  // while still making any real change on it maximally surprising.
  const double floor = 1e-9 + 1e-6 * std::max(std::fabs(x), std::fabs(level_));
  const bool warm = n_ > cfg_.warmup_samples;

  use_season_ = have_season && warm && (t - first_t_) >= 1.5 * kDay &&
                mae_season_ < (use_season_ ? 0.95 : 0.8) * mae_plain_;
  const double e = use_season_ ? e_season : e_plain;
  const double s = std::max(use_season_ ? season_scale_ : scale_, floor);
  const double z = std::fabs(e) / s;
  last_z_ = warm ? z : 0.0;
  const double score = warm ? score_of(z) : 0.0;

  // Learn. During warm-up everything is averaged plainly (no clipping: there is
  // no scale yet to clip against).
  const double rate = warm ? cfg_.level_rate : 1.0 / double(n_);
  const double srate = warm ? cfg_.scale_rate : 1.0 / double(n_);
  const double lim_p = warm ? cfg_.clip_scales * std::max(scale_, floor) : 1e300;
  const double lim_s = warm ? cfg_.clip_scales * std::max(season_scale_, floor) : 1e300;

  level_ += rate * clip(e_plain, lim_p);
  scale_ += srate * (std::min(std::fabs(e_plain), lim_p) - scale_);
  mae_plain_ +=
      (warm ? kChoiceRate : 1.0 / double(n_)) * (std::min(std::fabs(e_plain), lim_p) - mae_plain_);
  if (have_season) {
    season_level_ += rate * clip(e_season, lim_s);
    season_scale_ += srate * (std::min(std::fabs(e_season), lim_s) - season_scale_);
    mae_season_ += (warm ? kChoiceRate : 1.0 / double(n_)) *
                   (std::min(std::fabs(e_season), lim_s) - mae_season_);
    const double dev = x - season_level_;
    if (season_n_[bin] == 0) {
      season_[bin] = dev;
    } else {
      season_[bin] += cfg_.season_rate * clip(dev - season_[bin], lim_s);
    }
    season_n_[bin] = std::min<uint32_t>(season_n_[bin] + 1, 1u << 30);
  } else {
    season_level_ = level_;
    season_scale_ = scale_;
    mae_season_ = mae_plain_;
  }

  // A run of same-side outliers is a new level: adopt it so the shift alarms
  // for a few samples, not for as long as the clipped baseline needs to crawl.
  if (warm) {
    const int sign = std::fabs(e) > cfg_.clip_scales * s ? (e > 0 ? 1 : -1) : 0;
    if (sign != 0 && sign == run_sign_) {
      ++run_len_;
      run_sum_ += e;
    } else {
      run_sign_ = sign;
      run_len_ = sign ? 1 : 0;
      run_sum_ = sign ? e : 0.0;
    }
    if (run_len_ >= cfg_.shift_samples) {
      const double shift = run_sum_ / run_len_;
      level_ += shift;
      season_level_ += shift;
      run_sign_ = run_len_ = 0;
      run_sum_ = 0;
    }
  }
  return score;
}

}  // namespace kpulse::analytics
