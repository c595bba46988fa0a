#include "analytics/forecast_profile.h"

#include <algorithm>
#include <cmath>

namespace kpulse::analytics {
namespace {

// Median absolute deviation from 0 (scaled to sigma) of `v`, estimated from
// an evenly strided subsample of at most kSigmaSample values: it only sets
// clipping and significance thresholds, and the full selection was the
// most expensive step of a fit. Reorders `v`.
constexpr size_t kSigmaSample = 49;

double robust_sigma_inplace(std::vector<double>& v) {
  if (v.empty()) return 0;
  const size_t stride = (v.size() + kSigmaSample - 1) / kSigmaSample;
  size_t m = 0;
  for (size_t i = 0; i < v.size(); i += stride) v[m++] = std::fabs(v[i]);
  v.resize(m);
  auto mid = v.begin() + m / 2;
  std::nth_element(v.begin(), mid, v.end());
  return 1.4826 * *mid;
}

// Recency-weighted mean per phase of `d` (phase = absolute index mod p),
// centred and shrunk toward 0 by how noisy it is: each phase mean gets
// w / (w + noise/signal) of its value (w = its effective number of cycles),
// an empirical-Bayes estimate, so a clean cycle is kept whole and one
// buried in noise is mostly dropped.
void fit_profile(std::span<const double> d, int p, double decay, std::vector<double>& s,
                 std::vector<double>& w) {
  const int n = static_cast<int>(d.size());
  s.assign(p, 0.0);
  w.assign(p, 0.0);
  double weight = 1.0;
  int phase = (n - 1) % p;
  for (int t = n - 1; t >= 0; --t) {
    if (std::isfinite(d[t])) {
      s[phase] += weight * d[t];
      w[phase] += weight;
    }
    if (--phase < 0) {
      phase = p - 1;
      weight *= decay;
    }
  }
  double mean = 0, wsum = 0;
  int filled = 0;
  for (int i = 0; i < p; ++i)
    if (w[i] > 0) {
      s[i] /= w[i];
      mean += s[i];
      wsum += w[i];
      ++filled;
    }
  if (!filled) return;
  mean /= filled;
  // Noise: weighted variance of d around its phase mean.
  double rss = 0, rw = 0;
  weight = 1.0;
  phase = (n - 1) % p;
  for (int t = n - 1; t >= 0; --t) {
    if (std::isfinite(d[t])) {
      const double r = d[t] - s[phase];
      rss += weight * r * r;
      rw += weight;
    }
    if (--phase < 0) {
      phase = p - 1;
      weight *= decay;
    }
  }
  const double noise = rw > 0 ? rss / rw : 0.0;
  double spread = 0;
  for (int i = 0; i < p; ++i)
    if (w[i] > 0) spread += (s[i] - mean) * (s[i] - mean);
  spread /= filled;
  // The phase means' spread includes their own noise (noise / w); what is
  // left is the cycle's.
  const double signal = spread - noise / (wsum / filled);
  const double kappa = signal > 0 ? noise / signal : 1e300;
  for (int i = 0; i < p; ++i) s[i] = w[i] > 0 ? (s[i] - mean) * w[i] / (w[i] + kappa) : 0.0;
}

// Start of the segment after the most recent significant level shift in
// the deseasonalised series (x - season) over the last few level windows,
// or 0. A shift must move the mean by more than 3 noise sigmas and have
// lasted at least half a level window (so a short burst doesn't count).
template <typename Season>
int last_level_shift(std::span<const double> x, const Season& season, int n, int lw, double sigma,
                     ProfileWorkspace& ws) {
  if (sigma <= 0) return 0;
  const int span = std::min(n, std::max(4 * lw, 96));
  const int start = n - span;
  const int min_after = std::max(4, lw / 2), min_before = std::max(8, lw);
  auto& sum = ws.sum;  // prefix sums over the window (free again by now)
  auto& cnt = ws.cnt;
  sum.assign(span + 1, 0.0);
  cnt.assign(span + 1, 0.0);
  for (int i = 0; i < span; ++i) {
    const double v = x[start + i];
    const bool ok = std::isfinite(v);
    sum[i + 1] = sum[i] + (ok ? v - season(start + i) : 0.0);
    cnt[i + 1] = cnt[i] + (ok ? 1.0 : 0.0);
  }
  int best = -1;
  double best_stat = 0, best_diff = 0;
  for (int k = min_before; k <= span - min_after; ++k) {
    const double n1 = cnt[k], n2 = cnt[span] - cnt[k];
    // At least half of each side present (whole steps: the halves round down).
    const int half_before = min_before / 2, half_after = min_after / 2;
    if (n1 < half_before || n2 < half_after) continue;
    const double diff = (sum[span] - sum[k]) / n2 - sum[k] / n1;
    // The squared two-sample statistic: the same order as the statistic,
    // without a square root per split.
    const double stat = diff * diff * (n1 * n2 / (n1 + n2));
    if (stat > best_stat) {
      best_stat = stat;
      best_diff = diff;
      best = k;
    }
  }
  if (best < 0 || std::fabs(best_diff) < 3 * sigma) return 0;
  return start + best;
}

// The moving average (window `w`), the seasonal profiles on what it leaves,
// the seasonal component over `total` steps, the noise and the residual
// winsorized at 4 noise sigmas: everything of a fit that the level window
// and the trend don't change.
void decompose(std::span<const double> x, const ProfileSpec& spec, int w, int total,
               ProfileDecomposition& dec, ProfileWorkspace& ws) {
  const int n = static_cast<int>(x.size());
  const double offset = spec.log_scale ? spec.log_offset : 0.0;
  if (ws.xsum_src != x.data() || ws.xsum_offset != offset ||
      static_cast<int>(ws.xsum.size()) < n + 1) {
    ws.xsum.assign(n + 1, 0.0);
    ws.xcnt.assign(n + 1, 0.0);
    for (int i = 0; i < n; ++i) {
      const bool ok = std::isfinite(x[i]);
      ws.xsum[i + 1] = ws.xsum[i] + (ok ? x[i] : 0.0);
      ws.xcnt[i + 1] = ws.xcnt[i] + (ok ? 1.0 : 0.0);
    }
    ws.xsum_src = x.data();
    ws.xsum_offset = offset;
  }
  const std::vector<double>& sum = ws.xsum;
  const std::vector<double>& cnt = ws.xcnt;
  auto& d = dec.d;  // detrended; later the winsorized residual around the trend
  d.resize(n);
  auto& ma = dec.ma;  // the moving average, i.e. the trend around which d is measured
  ma.resize(n);
  for (int i = 0; i < n; ++i) {
    int lo = std::clamp(i - w / 2, 0, n - w);
    double c = cnt[lo + w] - cnt[lo];
    if (c == 0) {  // a gap longer than the window: widen to the whole series
      lo = 0;
      c = cnt[n];
      ma[i] = sum[n] / c;
    } else {
      ma[i] = (sum[lo + w] - sum[lo]) / c;
    }
    d[i] = x[i] - ma[i];
  }

  // Seasonal profiles: the second on what the first leaves. A second period
  // without a first (sparse or irregular input) is fitted alone: every
  // period used below must have a profile of its own size.
  if (spec.period1 > 0) {
    fit_profile(d, spec.period1, spec.decay1, ws.s1, ws.w1);
    if (spec.period2 > 0) {
      for (int i = 0; i < n; ++i)
        if (std::isfinite(d[i])) d[i] -= ws.s1[i % spec.period1];
      fit_profile(d, spec.period2, spec.decay2, ws.s2, ws.w2);
      for (int i = 0; i < n; ++i)
        if (std::isfinite(d[i])) d[i] += ws.s1[i % spec.period1];
    }
  } else if (spec.period2 > 0) {
    fit_profile(d, spec.period2, spec.decay2, ws.s2, ws.w2);
  }
  // The seasonal component over the history and the horizon, laid out once
  // (the loops below would otherwise take two modulos per step).
  dec.seas.assign(total, 0.0);
  for (int p : {1, 2}) {
    const int period = p == 1 ? spec.period1 : spec.period2;
    if (period <= 0) continue;
    const std::vector<double>& prof = p == 1 ? ws.s1 : ws.s2;
    for (int i = 0, ph = 0; i < total; ++i) {
      dec.seas[i] += prof[ph];
      if (++ph == period) ph = 0;
    }
  }
  const double* seas = dec.seas.data();

  // Noise of the deseasonalised residual over the recent cycles.
  const int pmax = std::max({spec.period1, spec.period2, 1});
  ws.tmp.clear();
  for (int i = std::max(0, n - 4 * pmax - 96); i < n; ++i)
    if (std::isfinite(d[i])) ws.tmp.push_back(d[i] - seas[i]);
  dec.noise = robust_sigma_inplace(ws.tmp);
  // Winsorize the residual around trend and season for the level and trend
  // estimates. (The profiles themselves are fitted unclipped: clipping
  // around even a robust per-phase centre cost accuracy on every data set
  // tried, since seasonal shapes drift; gross outliers are gone already
  // (despike).)
  if (dec.noise > 0) {
    const double cap = 4.0 * dec.noise;
    for (int i = 0; i < n; ++i)
      if (std::isfinite(d[i])) d[i] = seas[i] + std::clamp(d[i] - seas[i], -cap, cap);
  }
}

// The series in model space. Backtests fit prefixes of one series, so the
// log transform (the costliest per-point step) is computed once per series.
std::span<const double> model_space(std::span<const double> y, const ProfileSpec& spec,
                                    ProfileWorkspace& ws) {
  if (!spec.log_scale) return y;
  const int n = static_cast<int>(y.size());
  if (ws.log_src != y.data() || ws.logx.size() < y.size() || ws.log_offset != spec.log_offset) {
    ws.logx.resize(n);
    for (int i = 0; i < n; ++i)
      ws.logx[i] = std::isfinite(y[i]) ? std::log(std::max(y[i], 0.0) + spec.log_offset) : NAN;
    ws.log_src = y.data();
    ws.log_offset = spec.log_offset;
  }
  return std::span<const double>(ws.logx).first(n);
}

// The decomposition of `y` (as `x` in model space) with a moving average of
// `w` steps and the season laid out to `total` steps: the workspace's, when
// it was made for the same series prefix and settings.
ProfileDecomposition& decomposition(std::span<const double> y, std::span<const double> x,
                                    const ProfileSpec& spec, int w, int total,
                                    ProfileWorkspace& ws) {
  const int n = static_cast<int>(y.size());
  ProfileDecomposition& dec = ws.dec[spec.log_scale ? 1 : 0];
  const bool reuse = dec.src == y.data() && dec.n == n && dec.log_scale == spec.log_scale &&
                     dec.log_offset == spec.log_offset && dec.period1 == spec.period1 &&
                     dec.period2 == spec.period2 && dec.window == w && dec.decay1 == spec.decay1 &&
                     dec.decay2 == spec.decay2 && static_cast<int>(dec.seas.size()) >= total;
  if (!reuse) {
    decompose(x, spec, w, total, dec, ws);
    dec.levels.clear();
  }
  dec.src = y.data();
  dec.n = n;
  dec.log_scale = spec.log_scale;
  dec.log_offset = spec.log_offset;
  dec.period1 = spec.period1;
  dec.period2 = spec.period2;
  dec.window = w;
  dec.decay1 = spec.decay1;
  dec.decay2 = spec.decay2;
  return dec;
}

// Level: mean of the deseasonalised, winsorized series over the last `lw`
// present steps. After a level shift inside that window, only the steps
// since the shift count, unclipped (winsorizing would otherwise pull them
// back toward the old level). Cached per window on the decomposition;
// nullptr when no step is present.
ProfileDecomposition::Level* fitted_level(ProfileDecomposition& dec, std::span<const double> x,
                                          int n, int lw, ProfileWorkspace& ws) {
  auto cached = std::find_if(dec.levels.begin(), dec.levels.end(),
                             [lw](const ProfileDecomposition::Level& l) { return l.window == lw; });
  if (cached != dec.levels.end()) return &*cached;
  const double* seas = dec.seas.data();
  auto season = [seas](long t) { return seas[t]; };
  const int since = last_level_shift(x, season, n, lw, dec.noise, ws);
  double lsum = 0, tsum = 0;
  int lcount = 0;
  for (int i = n - 1; i >= since && lcount < lw; --i) {
    if (!std::isfinite(x[i])) continue;
    lsum += (since > 0 ? x[i] : dec.ma[i] + dec.d[i]) - season(i);
    tsum += i;
    ++lcount;
  }
  if (lcount == 0) return nullptr;
  dec.levels.push_back({lw, lsum / lcount, tsum / lcount, false, 0.0});
  return &dec.levels.back();
}

// Least-squares slope of the deseasonalised series over its last `tw` steps.
double fitted_slope(const ProfileDecomposition& dec, int n, int tw) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int m = 0;
  for (int i = n - tw; i < n; ++i) {
    if (!std::isfinite(dec.d[i])) continue;
    const double v = dec.ma[i] + dec.d[i] - dec.seas[i];
    const double xi = i - (n - tw);
    sx += xi;
    sy += v;
    sxx += xi * xi;
    sxy += xi * v;
    ++m;
  }
  const double den = m * sxx - sx * sx;
  return m >= 8 && den > 0 ? (m * sxy - sx * sy) / den : 0.0;
}

}  // namespace

int profile_min_history(const ProfileSpec& spec) {
  const int pmax = std::max(spec.period1, spec.period2);
  // One full longest cycle plus a seventh of one (a day for a weekly cycle).
  return std::max({pmax + pmax / 7, spec.level_window, 4});
}

bool profile_forecast(std::span<const double> y, const ProfileSpec& spec, std::span<double> out,
                      ProfileWorkspace& ws) {
  const int n = static_cast<int>(y.size());
  if (n < profile_min_history(spec)) return false;
  const std::span<const double> x = model_space(y, spec, ws);
  int present = 0;
  for (int i = 0; i < n && present < 2; ++i) present += std::isfinite(y[i]);
  if (present < 2) return false;

  // Moving average over the longest period (a full window everywhere).
  const int pmax = std::max({spec.period1, spec.period2, 1});
  const int w = std::min(n, spec.period1 > 0 ? pmax : std::max(spec.level_window, 1));
  const int total = n + static_cast<int>(out.size());
  ProfileDecomposition& dec = decomposition(y, x, spec, w, total, ws);
  ProfileDecomposition::Level* fit = fitted_level(dec, x, n, std::max(1, spec.level_window), ws);
  if (!fit) return false;
  double level = fit->level;

  double slope = 0, phi = 0;
  if (spec.trend) {
    // The slope over a window of several periods, damped so it fades after
    // about half that window.
    const int tw = std::min(n, std::max({2 * pmax, 4 * spec.level_window, 48}));
    if (!fit->has_slope) {
      fit->slope = fitted_slope(dec, n, tw);
      fit->has_slope = true;
    }
    slope = fit->slope;
    phi = std::exp(-1.0 / (spec.trend_persistence * tw));
    // The level was measured at its window's centre; move it to the end.
    level += slope * (n - 1 - fit->level_pos);
  }

  double damp_sum = 0, damp = 1;
  for (size_t h = 0; h < out.size(); ++h) {
    damp *= phi;
    damp_sum += damp;
    const double v = level + slope * damp_sum + dec.seas[n + h];
    out[h] = spec.log_scale ? std::exp(v) - spec.log_offset : v;
  }
  return true;
}

}  // namespace kpulse::analytics
