#include "analytics/anomaly_detector.h"

#include "analytics/series_csv.h"

#include <algorithm>
#include <cmath>

namespace kpulse::analytics {

std::optional<AnomalyModel> anomaly_model_named(std::string_view name) {
  if (name == "baseline") return AnomalyModel::kBaseline;
  if (name == "context") return AnomalyModel::kContext;
  if (name == "blend") return AnomalyModel::kBlend;
  return std::nullopt;
}
namespace {

constexpr double kDay = 86400.0;
// Rate of the slow averages (predictor choice, series spread): long enough that
// a single anomaly does not flip them.
constexpr double kSlowRate = 0.002;
// Errors smaller than this fraction of the series' spread are never surprising
// (a noise-free series would otherwise alarm on rounding).
constexpr double kSpreadFloor = 0.01;
// Errors count toward the predictor choice up to this many scales: big enough
// that a predictor missing every daily edge loses, small enough that one
// anomaly does not decide.
constexpr double kChoiceClip = 10.0;

// Past days remembered, and bins either side of now that may explain a sample
// (3 bins of 5 minutes: recurring jobs drift by a few minutes).
constexpr int kRecentDays = 3;
constexpr int kRecentSlack = 3;
// A surprise seen within this long of the same time on *every* remembered day
// is a routine too, even if it drifted past kRecentSlack (nightly jobs wander).
constexpr double kRoutineSlackSeconds = 2700.0;

// Noise floors of the channels' rarity, exp(-gate * x): for the instant
// surprise (in error scales), the sustained deviation (in units of the series'
// spread) and the volatility (mean surprise in error scales). And the cap on
// one sample's share of the volatility (one giant spike is not volatility).
constexpr double kInstantGate = 2.0;
constexpr double kSustainedGate = 16.0;
constexpr double kVolatilityGate = 8.0;
constexpr double kVolatilityCap = 50.0;

double clip(double v, double limit) {
  return std::clamp(v, -limit, limit);
}

}  // namespace

AnomalyDetector::AnomalyDetector(AnomalyDetectorConfig config)
    : cfg_(config),
      sustained_tail_(config.history_half_life, config.record_rise, config.incident_half_life),
      volatility_tail_(2000, config.record_rise, config.incident_half_life),
      tail_(config.history_half_life, config.record_rise, config.incident_half_life),
      repeat_decay_(std::exp(std::log(0.5) / config.repeat_half_life)) {
  if (cfg_.model != AnomalyModel::kBaseline) context_.emplace(cfg_.context);
}

double AnomalyDetector::update(double t, double x) {
  if (cfg_.model == AnomalyModel::kBaseline) return baseline_update(t, x);
  const double context = std::isfinite(t) ? context_->update(x) : 0.0;
  if (cfg_.model == AnomalyModel::kContext) {
    // The baseline still learns: the step and last_z() stay meaningful.
    baseline_update(t, x);
    return context;
  }
  const double baseline = baseline_update(t, x);
  // A learner still warming up abstains: the blend is the mean of the
  // learners that have an opinion. Counting the context learner's warm-up 0
  // would halve every score of a young series (live: its first 64 s).
  return context_->warm() ? 0.5 * (context + baseline) : baseline;
}

void AnomalyDetector::infer_step(double t_unix) {
  if (n_ > 0 && step_ == 0) {
    const double d = t_unix - last_t_;
    if (d > 0) deltas_[n_deltas_++] = d;
    if (n_deltas_ == int(deltas_.size())) {
      std::nth_element(deltas_.begin(), deltas_.begin() + n_deltas_ / 2, deltas_.end());
      step_ = deltas_[n_deltas_ / 2];
      // A day can be profiled only if each bin gets samples; bins are never
      // finer than the step, and a day needs at least 24 of them.
      const double bin = std::max(cfg_.bin_seconds, step_);
      if (bin <= kDay / 24) {
        const size_t bins = size_t(std::ceil(kDay / bin));
        season_.assign(bins, 0.0);
        season_n_.assign(bins, 0);
        recent_days_.emplace_back(int(bins), kRecentDays, kRecentSlack);
        routine_slack_bins_ = int(std::lround(kRoutineSlackSeconds / (kDay / double(bins))));
      }
    }
  }
  last_t_ = t_unix;
}

double AnomalyDetector::score_of(double p) const {
  const double v = -std::log10(p) / cfg_.full_score_decades;
  return v > 0 ? std::min(v, 1.0) : 0.0;  // never -0.0: it would print as "-0"
}

void AnomalyDetector::learn(Track& k, double e, double floor, bool warm) {
  // During warm-up everything is averaged plainly: there is no scale yet to
  // clip against.
  const double rate = warm ? cfg_.level_rate : 1.0 / double(n_);
  // An exact repeat of the previous value (a stalled or idle metric) is no
  // evidence of how noisy the series is: the scale keeps its last estimate
  // rather than collapsing to the floor over hours of zeros.
  const double srate = repeat_run_ > 0 ? 0.0 : warm ? cfg_.scale_rate : 1.0 / double(n_);
  const double s = std::max(k.scale, floor);
  const double lim = warm ? cfg_.clip_scales * s : 1e300;
  k.level += rate * clip(e, lim);
  k.scale += srate * (std::min(std::fabs(e), lim) - k.scale);
  k.choice_mae += (warm ? kSlowRate : 1.0 / double(n_)) *
                  (std::min(std::fabs(e), kChoiceClip * s) - k.choice_mae);
  if (!warm) return;
  // A run of same-side outliers is a new level: adopt it, so a shift alarms
  // for a few samples rather than for as long as the clipped level needs to
  // crawl over.
  const int sign = std::fabs(e) > lim ? (e > 0 ? 1 : -1) : 0;
  if (sign != 0 && sign == k.run_sign) {
    ++k.run_len;
    k.run_sum += e;
  } else {
    k.run_sign = sign;
    k.run_len = sign ? 1 : 0;
    k.run_sum = sign ? e : 0.0;
  }
  if (k.run_len >= cfg_.shift_samples) {
    k.level += k.run_sum / k.run_len;
    k.run_sign = k.run_len = 0;
    k.run_sum = 0;
  }
}

double AnomalyDetector::baseline_update(double t, double x) {
  // A sample without a value or a time says nothing; one beyond the range any
  // metric reaches is held at its edge, so that differences, spreads and
  // surprises stay finite (a series alternating +-1e308 overflows them).
  if (std::isnan(x) || !std::isfinite(t)) return 0.0;
  x = std::clamp(x, -kMaxSeriesMagnitude, kMaxSeriesMagnitude);
  infer_step(t);
  repeat_run_ = (n_ > 0 && x == prev_x_) ? repeat_run_ + 1 : 0;
  prev_x_ = x;
  if (n_++ == 0) {
    plain_.level = long_mean_ = slow_level_ = x;
    first_t_ = t;
    return 0.0;
  }

  const double e_plain = x - plain_.level;
  // Seasonal predictor: its level plus this time of day's learned offset.
  const bool have_season = !season_.empty();
  size_t bin = 0;
  double e_season = e_plain;
  if (have_season) {
    const double bin_width = kDay / double(season_.size());
    bin = size_t(std::fmod(std::fmod(t, kDay) + kDay, kDay) / bin_width) % season_.size();
    const double profile = season_n_[bin] ? season_[bin] : plain_.level;
    e_season = x - (profile + seasonal_.level);
  }

  // The scale floor keeps a perfectly flat series from dividing by zero while
  // any real change on it stays maximally surprising.
  const double floor =
      1e-9 + 1e-6 * std::max(std::fabs(x), std::fabs(plain_.level)) + kSpreadFloor * spread_;
  long_mean_ += kSlowRate * (x - long_mean_);
  spread_ += (n_ < 100 ? 1.0 / double(n_) : kSlowRate) * (std::fabs(x - long_mean_) - spread_);
  const bool warm = n_ > cfg_.warmup_samples;

  // Trust the profile once it has seen more than a day and predicts clearly
  // better (with hysteresis, so the choice does not flicker).
  use_season_ = have_season && warm && (t - first_t_) >= 1.5 * kDay &&
                seasonal_.choice_mae < (use_season_ ? 0.95 : 0.8) * plain_.choice_mae;
  const double e = use_season_ ? e_season : e_plain;
  const double s = std::max(use_season_ ? seasonal_.scale : plain_.scale, floor);
  // What happened at this time of day recently is not news: both channels see
  // only the part of the deviation that recent days do not explain.
  const double near = recent_days_explain(t, x, e);
  const double z = std::fabs(near >= 0 ? std::min(std::fabs(e), near) : e) / s;
  last_z_ = warm ? z : 0.0;
  // Sustained channel, against a slow clipped baseline that a burst barely moves.
  const double slow_scale = std::max(spread_, floor);
  const double d = x - slow_level_;
  const double d_new = near >= 0 ? std::copysign(std::min(std::fabs(d), near), d) : d;
  sustained_ += (1.0 / cfg_.sustained_samples) * (d_new - sustained_);
  slow_level_ += (warm ? kSlowRate : 1.0 / double(n_)) * clip(d, 3.0 * slow_scale);
  const double z2 = std::fabs(sustained_) / slow_scale;

  const double score = warm ? rank_channels(z, z2) : 0.0;

  learn(plain_, e_plain, floor, warm);
  if (have_season) learn_season(bin, x, e_season, floor, warm);
  return score;
}

double AnomalyDetector::recent_days_explain(double t, double x, double e) {
  if (recent_days_.empty()) return -1;
  double near = recent_days_[0].nearest(t, x);
  // Only a routine closer than both the deviation and the narrow answer matters.
  const double bound = near >= 0 ? std::min(near, std::fabs(e)) : std::fabs(e);
  const double routine = recent_days_[0].nearest_every_day(t, x, e, routine_slack_bins_, bound);
  if (routine >= 0) near = near >= 0 ? std::min(near, routine) : routine;
  recent_days_[0].add(t, x, e);
  return near;
}

double AnomalyDetector::rank_channels(double z, double z2) {
  // Volatility channel: how erratic the last few samples were, whatever
  // their direction (a series turning spiky, or losing its usual noise).
  // Only from warm samples: before that the error scale means nothing.
  volatility_ += (1.0 / cfg_.volatility_samples) * (std::min(z, kVolatilityCap) - volatility_);
  // Each channel's rarity against its own history, floored by how likely
  // that size is for plain Laplace-like noise: a quiet series cannot reach
  // high scores just by setting small records.
  const double p_instant = std::max(tail_.tail(z), std::exp(-kInstantGate * z));
  const double p_sustained = std::max(sustained_tail_.tail(z2), std::exp(-kSustainedGate * z2));
  const double p_volatile =
      std::max(volatility_tail_.tail(volatility_), std::exp(-kVolatilityGate * volatility_));
  tail_.add(z);
  sustained_tail_.add(z2);
  volatility_tail_.add(volatility_);
  // As rare as the rarest channel, times three for having looked three ways.
  const double raw = score_of(std::min(1.0, 3.0 * std::min({p_instant, p_sustained, p_volatile})));
  // An episode alarms on its first, strongest samples; repeats no stronger
  // than the recent peak are damped so one incident is not many alerts.
  const double score = raw > recent_peak_ ? raw : raw * cfg_.repeat_damping;
  recent_peak_ = std::max(raw, recent_peak_ * repeat_decay_);
  return score;
}

void AnomalyDetector::learn_season(size_t bin, double x, double e_season, double floor, bool warm) {
  const double lim = warm ? cfg_.clip_scales * std::max(seasonal_.scale, floor) : 1e300;
  learn(seasonal_, e_season, floor, warm);
  // The profile learns the value itself, once per bin visit; the track's
  // level only follows the residual, so a fast level cannot soak up the
  // daily shape before the profile learns it.
  if (season_n_[bin] == 0) {
    season_[bin] = x;
  } else {
    season_[bin] += cfg_.season_rate * clip(x - season_[bin], lim);
  }
  season_n_[bin] = std::min<uint32_t>(season_n_[bin] + 1, 1u << 30);
}

}  // namespace kpulse::analytics
