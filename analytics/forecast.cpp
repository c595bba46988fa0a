#include "analytics/forecast.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "analytics/forecast_clean.h"
#include "analytics/forecast_drift.h"
#include "analytics/forecast_intervals.h"
#include "analytics/forecast_profile.h"
#include "analytics/season_detect.h"

namespace kpulse::analytics {
namespace {

constexpr int64_t kDay = 86400, kWeek = 7 * kDay;
// Older history than this many weeks adds little and costs time.
constexpr int64_t kMaxHistorySeconds = 16 * kWeek;
// And more steps than this (fine-grained input) would make the
// autocorrelation scan, O(steps x longest period), too slow for a command.
constexpr size_t kMaxHistorySteps = 20'000;
// The week cap is for fine steps. A coarse series (rows weeks apart) keeps at
// least this many steps, so its level, trend and spread have points to be
// fitted on: under the cap alone a step over 16 weeks left none.
constexpr size_t kMinHistorySteps = 104;
// Candidates whose backtest MAE is within this factor of the best are averaged.
constexpr double kCombineWithin = 1.15;
// Fewer backtest errors than this are too few for their 10 % and 2.5 % tails
// (fit_bands merges bands below the same count). When that is because the
// history is short (it held fewer backtest origins than asked for, or not
// one backtest of the whole horizon), the intervals are widened to at least
// the drift benchmark's. (A long history asked for a step or two ahead also
// leaves few errors, but from every origin, each testing the whole horizon:
// apply_intervals' widening for few origins does there.)
constexpr size_t kMinBacktestErrors = 20;

int steps_for(int64_t seconds, int64_t step) {
  return step > 0 && seconds % step == 0 ? static_cast<int>(seconds / step) : 0;
}

std::string describe(const ProfileSpec& s) {
  std::string out = "profile(";
  out += s.period1 ? std::to_string(s.period1) : std::string("-");
  if (s.period2) out += "+" + std::to_string(s.period2);
  out += " L" + std::to_string(s.level_window);
  if (s.trend) out += s.trend_persistence > 1 ? " trend+" : " trend";
  if (s.log_scale) out += " log";
  return out + ")";
}

std::vector<ProfileSpec> candidate_specs(const std::vector<int>& detected, int day, int week,
                                         bool nonneg, double log_offset, bool bulk, int history) {
  // Seasonal structures: detected, then the calendar ones when not detected
  // (the backtest throws them out if they don't help).
  std::vector<std::pair<int, int>> seasons{{0, 0}};
  auto add = [&](int p1, int p2) {
    if (p1 <= 0 && p2 <= 0) return;
    if (std::find(seasons.begin(), seasons.end(), std::pair{p1, p2}) == seasons.end())
      seasons.emplace_back(p1, p2);
  };
  if (!detected.empty()) {
    add(detected[0], 0);
    if (detected.size() > 1) {
      add(detected[0], detected[1]);
      add(detected[1], 0);
    }
  }
  {
    add(day, 0);
    add(day, week);
    add(week, 0);
  }
  // The level window of the non-seasonal candidates: a day of steps, but
  // never more than a third of the history, or a series at a 1 s step (a
  // day is 86,400 steps) would have no candidate at all until a day passed.
  const int short_window = std::max(1, std::min(day > 0 ? day : 24, std::max(4, history / 3)));
  std::vector<ProfileSpec> specs;
  for (auto [p1, p2] : seasons) {
    std::vector<int> windows;
    if (p1 == 0) {
      windows = {short_window};
      if (!bulk) windows.push_back(std::max(1, short_window / 4));
    } else {
      // Bulk mode keeps one window: the whole longest cycle.
      windows = {bulk ? std::max(p1, p2) : p1};
      if (std::max(p1, p2) > p1 && !bulk) windows.push_back(std::max(p1, p2));
      if (p1 > short_window && !bulk) windows.push_back(short_window);
    }
    for (int lw : windows)
      // Trend: none, one that fades after half its estimation window, and
      // one that lasts about two windows (steady growth: disks filling).
      for (int trend = 0; trend < (bulk ? 1 : 3); ++trend)
        for (int lg = 0; lg < (nonneg ? 2 : 1); ++lg) {
          ProfileSpec s;
          s.period1 = p1;
          s.period2 = p2;
          s.level_window = lw;
          s.trend = trend > 0;
          s.trend_persistence = trend == 2 ? 2.0 : 0.5;
          s.log_scale = lg;
          s.log_offset = log_offset;
          specs.push_back(s);
        }
  }
  return specs;
}

Forecast flat_forecast(double value, int horizon) {
  Forecast f;
  f.point.assign(horizon, value);
  f.lo80 = f.hi80 = f.lo95 = f.hi95 = f.point;
  f.method = "flat";
  return f;
}

// The benchmark forecast for a series the models can't be trusted on (too few
// values, or no candidate fitted), marked low-confidence with the reason.
Forecast low_confidence_forecast(const DriftModel& m, int n, int horizon, std::string why) {
  Forecast f = benchmark_forecast(m, n, horizon);
  f.low_confidence = true;
  f.note = std::move(why) +
           "; the forecast is the last value, its intervals span the naive and drift "
           "benchmarks' (the trend may stop or go on) and widen with the horizon";
  return f;
}

// The history the models see: leading missing steps dropped, and no more
// than kMaxHistorySeconds of it, bounded to kMinHistorySteps..kMaxHistorySteps.
std::span<const double> recent_history(std::span<const double> y, int64_t step_seconds) {
  size_t first = 0;
  while (first < y.size() && !std::isfinite(y[first])) ++first;
  const size_t max_len =
      std::clamp(static_cast<size_t>(kMaxHistorySeconds / std::max<int64_t>(1, step_seconds)),
                 kMinHistorySteps, kMaxHistorySteps);
  if (y.size() - first > max_len) first = y.size() - max_len;
  return y.subspan(first);
}

struct SeriesSummary {
  bool nonneg = true;
  double abs_sum = 0, last = 0;
  int present = 0;  // finite values
};

SeriesSummary summarize(std::span<const double> y) {
  SeriesSummary s;
  for (double v : y)
    if (std::isfinite(v)) {
      s.nonneg &= v >= 0;
      s.abs_sum += std::fabs(v);
      s.last = v;
      ++s.present;
    }
  return s;
}

struct Seasonality {
  int day = 0, week = 0;       // calendar periods in steps (0: not a whole number)
  std::vector<int> detected;   // periods found in the data, strongest first
  std::vector<int> recurring;  // periods whose spikes are kept by despike()
};

Seasonality find_seasons(std::span<const double> y, const ForecastOptions& opt) {
  Seasonality out;
  out.day = steps_for(kDay, opt.step_seconds);
  out.week = steps_for(kWeek, opt.step_seconds);
  SeasonOptions so;
  if (out.week > 0) so.max_period = out.week + out.week / 10;
  // Calendar periods to snap detected peaks to (an hourly cycle matters for
  // sub-hour steps: cron jobs, batch runs).
  if (out.day > 0) so.preferred = {out.day, out.week};
  if (const int hour = steps_for(3600, opt.step_seconds); hour >= 4) so.preferred.push_back(hour);
  so.preferred_only = opt.bulk && out.day > 0;
  for (const auto& s : detect_seasons(y, so)) out.detected.push_back(s.period);
  out.recurring = out.detected;
  for (int p : so.preferred)
    if (p > 0) out.recurring.push_back(p);
  return out;
}

// Rolling origins inside the history, one day (or base period) apart, at
// the requested horizon. A short history can't hold a full horizon after
// the longest candidate's minimum, so there the origins start at that
// minimum and the windows stop at the end of the history. Drops the
// candidates the history is too short for.
std::vector<int> backtest_origins(std::vector<ProfileSpec>& specs, const Seasonality& seasons,
                                  int n, int horizon, const ForecastOptions& opt) {
  const int spacing = std::max(
      1, seasons.day > 0 ? seasons.day : (seasons.detected.empty() ? 24 : seasons.detected[0]));
  const int min_window = std::max(1, std::min(horizon, spacing));
  std::erase_if(specs,
                [&](const ProfileSpec& s) { return profile_min_history(s) > n - min_window; });
  int need = 1;
  for (const auto& s : specs) need = std::max(need, profile_min_history(s));
  const int max_origins = opt.bulk ? 1 : std::max(1, opt.max_origins);
  std::vector<int> origins;
  if (n - horizon >= need) {
    for (int k = 0; k < max_origins && n - horizon - k * spacing >= need; ++k)
      origins.push_back(n - horizon - k * spacing);
  } else {
    for (int k = 0; k < max_origins && need + k * spacing < n; ++k)
      origins.push_back(need + k * spacing);
  }
  return origins;
}

struct Scored {
  size_t spec;
  double mae;
  std::vector<double> bt;  // backtest forecasts, origins concatenated
};

// Each candidate fitted on the cleaned prefix before every origin and scored
// (mean absolute error) against the raw series; best first. Candidates that
// fail to fit or never meet a finite value are left out.
std::vector<Scored> score_candidates(std::span<const double> y, std::span<const double> yc,
                                     const std::vector<ProfileSpec>& specs,
                                     const std::vector<int>& origins, int bt_h, bool nonneg,
                                     ProfileWorkspace& ws) {
  const int n = static_cast<int>(y.size());
  // Origins outer, candidates inner: candidates sharing a seasonal structure
  // then reuse one decomposition of each prefix (ProfileWorkspace).
  std::vector<Scored> all(specs.size());
  std::vector<double> err(specs.size(), 0.0);
  std::vector<int> cnt(specs.size(), 0);
  std::vector<char> ok(specs.size(), 1);
  for (size_t i = 0; i < specs.size(); ++i) {
    all[i].spec = i;
    all[i].bt.reserve(origins.size() * bt_h);
  }
  std::vector<double> buf(bt_h);
  for (int o : origins)
    for (size_t i = 0; i < specs.size(); ++i) {
      if (!ok[i]) continue;
      if (!profile_forecast(yc.first(o), specs[i], buf, ws)) {
        ok[i] = 0;
        continue;
      }
      for (int h = 0; h < bt_h; ++h) {
        all[i].bt.push_back(buf[h]);
        const double a = o + h < n ? y[o + h] : NAN;
        if (std::isfinite(a)) {
          err[i] += std::fabs(a - (nonneg ? std::max(0.0, buf[h]) : buf[h]));
          ++cnt[i];
        }
      }
    }
  std::vector<Scored> scored;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (!ok[i] || cnt[i] == 0) continue;
    all[i].mae = err[i] / cnt[i];
    scored.push_back(std::move(all[i]));
  }
  std::sort(scored.begin(), scored.end(),
            [](const Scored& a, const Scored& b) { return a.mae < b.mae; });
  return scored;
}

// How many of the best to average: up to `combine`, but only those nearly
// as good as the best (a clearly worse candidate drags the combination down).
size_t combination_size(const std::vector<Scored>& scored, int combine_option) {
  size_t k = 1;
  const size_t combine = std::max(1, combine_option);
  while (k < std::min(combine, scored.size()) && scored[k].mae <= kCombineWithin * scored[0].mae)
    ++k;
  return k;
}

// The point forecast: the mean of the `k` best candidates refitted on the
// whole cleaned history. Returns false when none of them fits.
bool combine_best(std::span<const double> yc, const std::vector<ProfileSpec>& specs,
                  const std::vector<Scored>& scored, size_t k, int horizon, ProfileWorkspace& ws,
                  Forecast& f) {
  f.point.assign(horizon, 0.0);
  std::vector<double> full(horizon);
  size_t used = 0;
  for (size_t j = 0; j < k; ++j) {
    if (!profile_forecast(yc, specs[scored[j].spec], full, ws)) continue;
    for (int h = 0; h < horizon; ++h) f.point[h] += full[h];
    if (!f.method.empty()) f.method += " ";
    f.method += describe(specs[scored[j].spec]);
    ++used;
  }
  if (used == 0) return false;
  for (double& v : f.point) v /= used;
  return true;
}

// Backtest errors of the same combination (by rank, as it would have been
// chosen), for the intervals.
std::vector<BacktestError> combination_errors(std::span<const double> y,
                                              const std::vector<Scored>& scored, size_t k,
                                              const std::vector<int>& origins, int bt_h,
                                              bool nonneg) {
  const int n = static_cast<int>(y.size());
  std::vector<BacktestError> errs;
  for (size_t oi = 0; oi < origins.size(); ++oi)
    for (int h = 0; h < bt_h; ++h) {
      const int t = origins[oi] + h;
      if (t >= n || !std::isfinite(y[t])) continue;
      double fc = 0;
      for (size_t j = 0; j < k; ++j) fc += scored[j].bt[oi * bt_h + h];
      fc /= k;
      if (nonneg) fc = std::max(0.0, fc);
      errs.push_back({h, fc, y[t] - fc});
    }
  return errs;
}

// Bands never cross the point forecast or each other, and a non-negative
// series gets no negative values.
void order_bands(Forecast& f, int horizon, bool nonneg) {
  for (int h = 0; h < horizon; ++h) {
    if (nonneg) {
      f.point[h] = std::max(0.0, f.point[h]);
      f.lo80[h] = std::max(0.0, f.lo80[h]);
      f.lo95[h] = std::max(0.0, f.lo95[h]);
      f.hi80[h] = std::max(0.0, f.hi80[h]);
      f.hi95[h] = std::max(0.0, f.hi95[h]);
    }
    f.lo80[h] = std::min(f.lo80[h], f.point[h]);
    f.hi80[h] = std::max(f.hi80[h], f.point[h]);
    f.lo95[h] = std::min(f.lo95[h], f.lo80[h]);
    f.hi95[h] = std::max(f.hi95[h], f.hi80[h]);
  }
}

}  // namespace

Forecast forecast_series(std::span<const double> y_in, const ForecastOptions& opt) {
  const int horizon = std::max(0, opt.horizon);
  const std::span<const double> y = recent_history(y_in, opt.step_seconds);
  const int n = static_cast<int>(y.size());
  const SeriesSummary sum = summarize(y);
  if (sum.present < kMinForecastValues) {
    Forecast f = flat_forecast(sum.present ? sum.last : 0.0, horizon);
    f.low_confidence = true;
    f.note = std::to_string(sum.present) + " values: a forecast needs at least " +
             std::to_string(kMinForecastValues);
    return f;
  }
  const DriftModel drift = fit_drift(y);
  if (sum.present < kConfidentValues) {
    Forecast f = low_confidence_forecast(drift, n, horizon,
                                         std::to_string(sum.present) +
                                             " values (a confident forecast needs " +
                                             std::to_string(kConfidentValues) + ")");
    order_bands(f, horizon, sum.nonneg);
    return f;
  }

  const Seasonality seasons = find_seasons(y, opt);
  // Models fit the despiked series; backtest errors are measured on the raw
  // one, so intervals still reflect the spikes that do happen. Spikes that
  // recur with a detected or calendar period are kept.
  std::vector<double> cleaned;
  despike(y, cleaned, seasons.recurring);
  const std::span<const double> yc(cleaned);

  // log(y + c): c keeps zeros finite and damps the transform for low counts.
  const double mean_abs = sum.abs_sum / sum.present;
  // Counts get at least 1 (log(0 + 1) = 0); fractions a tenth of their mean.
  const double log_offset =
      mean_abs >= 1 ? std::max(1.0, 0.1 * mean_abs) : std::max(0.1 * mean_abs, 1e-9);
  std::vector<ProfileSpec> specs = candidate_specs(seasons.detected, seasons.day, seasons.week,
                                                   sum.nonneg, log_offset, opt.bulk, n);
  const std::vector<int> origins = backtest_origins(specs, seasons, n, horizon, opt);
  const int bt_h = origins.empty() ? 1 : std::min(horizon, n - origins.front());

  ProfileWorkspace ws;
  const std::vector<Scored> scored = score_candidates(y, yc, specs, origins, bt_h, sum.nonneg, ws);
  if (scored.empty()) {
    Forecast f = low_confidence_forecast(drift, n, horizon, "no model fits this history");
    order_bands(f, horizon, sum.nonneg);
    return f;
  }
  const size_t k = combination_size(scored, opt.combine);

  Forecast f;
  f.periods = seasons.detected;
  if (!combine_best(yc, specs, scored, k, horizon, ws, f)) {
    f = low_confidence_forecast(drift, n, horizon, "no model fits this history");
    order_bands(f, horizon, sum.nonneg);
    return f;
  }

  const std::vector<BacktestError> errs =
      combination_errors(y, scored, k, origins, bt_h, sum.nonneg);
  // Interval scale for proportional errors: the forecast plus a quarter of
  // the mean level (so near-zero forecasts still get some width).
  const double c = 0.25 * mean_abs + 1e-12;
  if (!errs.empty()) {
    const IntervalModel im = fit_intervals(errs, bt_h, c);
    apply_intervals(im, bt_h, static_cast<int>(origins.size()), f);
    if (im.relative) f.method += " rel-intervals";
  } else {
    f.lo80 = f.hi80 = f.lo95 = f.hi95 = f.point;
  }
  const size_t origins_asked = opt.bulk ? 1 : std::max(1, opt.max_origins);
  const bool short_history = origins.size() < origins_asked || bt_h < horizon;
  if (errs.size() < kMinBacktestErrors && (errs.empty() || short_history)) {
    // Quantiles of a handful of errors (or none) can be as narrow as zero.
    widen_to_drift(drift, n, f);
    f.low_confidence = true;
    f.note = std::to_string(errs.size()) + " backtest errors (intervals need " +
             std::to_string(kMinBacktestErrors) +
             "); intervals widened to at least the drift benchmark's";
  }
  order_bands(f, horizon, sum.nonneg);
  return f;
}

}  // namespace kpulse::analytics
