#include "analytics/forecast.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "analytics/forecast_clean.h"
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
// Candidates whose backtest MAE is within this factor of the best are averaged.
constexpr double kCombineWithin = 1.15;

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

// The last value, with random-walk intervals from the spread of one-step
// changes (robust: 1.4826 x their median absolute deviation), widening as
// the square root of the step: the fallback when no model can be fitted.
// Zero-width intervals would claim a certainty the data never showed.
Forecast naive_forecast(std::span<const double> y, double last, int horizon, bool nonneg) {
  Forecast f = flat_forecast(last, horizon);
  f.method = "naive";
  std::vector<double> diffs;
  double prev = NAN;
  for (double v : y) {
    if (!std::isfinite(v)) continue;
    if (std::isfinite(prev)) diffs.push_back(v - prev);
    prev = v;
  }
  if (diffs.size() < 3) return f;
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  const double mid = median(diffs);
  for (double& d : diffs) d = std::fabs(d - mid);
  const double sigma = 1.4826 * median(diffs);
  for (int h = 0; h < horizon; ++h) {
    const double spread = sigma * std::sqrt(h + 1.0);
    f.lo80[h] = last - 1.2816 * spread;
    f.hi80[h] = last + 1.2816 * spread;
    f.lo95[h] = last - 1.96 * spread;
    f.hi95[h] = last + 1.96 * spread;
    if (nonneg) f.lo80[h] = std::max(0.0, f.lo80[h]), f.lo95[h] = std::max(0.0, f.lo95[h]);
  }
  return f;
}

}  // namespace

Forecast forecast_series(std::span<const double> y_in, const ForecastOptions& opt) {
  const int horizon = std::max(0, opt.horizon);
  // Drop leading missing steps and history older than kMaxHistorySeconds
  // (or kMaxHistorySteps).
  size_t first = 0;
  while (first < y_in.size() && !std::isfinite(y_in[first])) ++first;
  const size_t max_len =
      std::min(kMaxHistorySteps,
               static_cast<size_t>(kMaxHistorySeconds / std::max<int64_t>(1, opt.step_seconds)));
  if (y_in.size() - first > max_len) first = y_in.size() - max_len;
  std::span<const double> y = y_in.subspan(first);
  const int n = static_cast<int>(y.size());

  bool nonneg = true;
  double abs_sum = 0, last = 0;
  int present = 0;
  for (double v : y)
    if (std::isfinite(v)) {
      nonneg &= v >= 0;
      abs_sum += std::fabs(v);
      last = v;
      ++present;
    }
  if (present < 4) return flat_forecast(present ? last : 0.0, horizon);

  const int day = steps_for(kDay, opt.step_seconds);
  const int week = steps_for(kWeek, opt.step_seconds);
  SeasonOptions so;
  if (week > 0) so.max_period = week + week / 10;
  // Calendar periods to snap detected peaks to (an hourly cycle matters for
  // sub-hour steps: cron jobs, batch runs).
  if (day > 0) so.preferred = {day, week};
  if (const int hour = steps_for(3600, opt.step_seconds); hour >= 4) so.preferred.push_back(hour);
  so.preferred_only = opt.bulk && day > 0;
  std::vector<int> detected;
  for (const auto& s : detect_seasons(y, so)) detected.push_back(s.period);
  // Models fit the despiked series; backtest errors are measured on the raw
  // one, so intervals still reflect the spikes that do happen. Spikes that
  // recur with a detected or calendar period are kept.
  std::vector<int> recur = detected;
  for (int p : so.preferred)
    if (p > 0) recur.push_back(p);
  std::vector<double> cleaned;
  despike(y, cleaned, recur);
  const std::span<const double> yc(cleaned);

  // log(y + c): c keeps zeros finite and damps the transform for low counts.
  const double mean_abs = abs_sum / present;
  // Counts get at least 1 (log(0 + 1) = 0); fractions a tenth of their mean.
  const double log_offset =
      mean_abs >= 1 ? std::max(1.0, 0.1 * mean_abs) : std::max(0.1 * mean_abs, 1e-9);
  std::vector<ProfileSpec> specs =
      candidate_specs(detected, day, week, nonneg, log_offset, opt.bulk, n);

  // Rolling origins inside the history, one day (or base period) apart, at
  // the requested horizon. A short history can't hold a full horizon after
  // the longest candidate's minimum, so there the origins start at that
  // minimum and the windows stop at the end of the history.
  const int spacing = std::max(1, day > 0 ? day : (detected.empty() ? 24 : detected[0]));
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
  const int bt_h = origins.empty() ? 1 : std::min(horizon, n - origins.front());

  ProfileWorkspace ws;
  struct Scored {
    size_t spec;
    double mae;
    std::vector<double> bt;  // backtest forecasts, origins concatenated
  };
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
  if (scored.empty()) return naive_forecast(y, last, horizon, nonneg);
  std::sort(scored.begin(), scored.end(),
            [](const Scored& a, const Scored& b) { return a.mae < b.mae; });
  // Average the best few, but only those nearly as good as the best: a
  // clearly worse candidate drags the combination down.
  size_t k = 1;
  const size_t combine = std::max(1, opt.combine);
  while (k < std::min(combine, scored.size()) && scored[k].mae <= kCombineWithin * scored[0].mae)
    ++k;

  Forecast f;
  f.periods = detected;
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
  if (used == 0) return naive_forecast(y, last, horizon, nonneg);
  for (double& v : f.point) v /= used;

  // Backtest errors of the same combination (by rank, as it would have been
  // chosen), for the intervals.
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
  return f;
}

}  // namespace kpulse::analytics
