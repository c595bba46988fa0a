#include "analytics/forecast_profile.h"

#include <algorithm>
#include <cmath>

namespace kpulse::analytics {
namespace {

// Median absolute deviation from 0 of the finite values (scaled to sigma).
double robust_sigma(std::span<const double> d, std::vector<double>& tmp) {
  tmp.clear();
  for (double v : d)
    if (std::isfinite(v)) tmp.push_back(std::fabs(v));
  if (tmp.empty()) return 0;
  auto mid = tmp.begin() + tmp.size() / 2;
  std::nth_element(tmp.begin(), mid, tmp.end());
  return 1.4826 * *mid;
}

// Recency-weighted mean per phase of `d` (phase = absolute index mod p), then
// centred. Phases with little data are shrunk toward 0: one cycle's worth
// of evidence is only half trusted.
void fit_profile(std::span<const double> d, int p, double decay, double shrink,
                 std::vector<double>& s, std::vector<double>& w) {
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
  double mean = 0;
  int filled = 0;
  for (int i = 0; i < p; ++i)
    if (w[i] > 0) {
      s[i] /= w[i];
      mean += s[i];
      ++filled;
    }
  if (filled) mean /= filled;
  for (int i = 0; i < p; ++i) s[i] = w[i] > 0 ? (s[i] - mean) * w[i] / (w[i] + shrink) : 0.0;
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
  auto& x = ws.x;
  x.resize(n);
  int present = 0;
  for (int i = 0; i < n; ++i) {
    x[i] = spec.log_scale ? std::log(std::max(y[i], 0.0) + spec.log_offset) : y[i];
    if (std::isfinite(y[i])) ++present;
    else x[i] = NAN;
  }
  if (present < 2) return false;

  // Moving average over the longest period (a full window everywhere).
  const int pmax = std::max({spec.period1, spec.period2, 1});
  const int w = std::min(n, spec.period1 > 0 ? pmax : std::max(spec.level_window, 1));
  ws.sum.assign(n + 1, 0.0);
  ws.cnt.assign(n + 1, 0.0);
  for (int i = 0; i < n; ++i) {
    const bool ok = std::isfinite(x[i]);
    ws.sum[i + 1] = ws.sum[i] + (ok ? x[i] : 0.0);
    ws.cnt[i + 1] = ws.cnt[i] + (ok ? 1.0 : 0.0);
  }
  auto& d = ws.d;  // detrended; later the winsorized residual around the trend
  d.resize(n);
  auto& ma = ws.ma;  // the moving average, i.e. the trend around which d is measured
  ma.resize(n);
  for (int i = 0; i < n; ++i) {
    int lo = std::clamp(i - w / 2, 0, n - w);
    double c = ws.cnt[lo + w] - ws.cnt[lo];
    if (c == 0) {  // a gap longer than the window: widen to the whole series
      lo = 0;
      c = ws.cnt[n];
      ma[i] = ws.sum[n] / c;
    } else {
      ma[i] = (ws.sum[lo + w] - ws.sum[lo]) / c;
    }
    d[i] = x[i] - ma[i];
  }
  const auto& trend = ma;
  const double sigma = robust_sigma(d, ws.tmp);
  if (sigma > 0) {
    const double cap = 4.0 * sigma;
    for (double& v : d)
      if (std::isfinite(v)) v = std::clamp(v, -cap, cap);
  }

  // Seasonal profiles: the second on what the first leaves.
  if (spec.period1 > 0) {
    fit_profile(d, spec.period1, spec.decay1, 0.5, ws.s1, ws.w1);
    if (spec.period2 > 0) {
      for (int i = 0; i < n; ++i)
        if (std::isfinite(d[i])) d[i] -= ws.s1[i % spec.period1];
      fit_profile(d, spec.period2, spec.decay2, 0.5, ws.s2, ws.w2);
      for (int i = 0; i < n; ++i)
        if (std::isfinite(d[i])) d[i] += ws.s1[i % spec.period1];
    }
  }
  auto season = [&](long t) {
    double s = 0;
    if (spec.period1 > 0) s += ws.s1[t % spec.period1];
    if (spec.period2 > 0) s += ws.s2[t % spec.period2];
    return s;
  };

  // Level: mean of the deseasonalised, winsorized series over the last
  // `level_window` present steps; remember the mean position for the trend.
  double lsum = 0, tsum = 0;
  int lcount = 0;
  for (int i = n - 1; i >= 0 && lcount < spec.level_window; --i) {
    if (!std::isfinite(d[i])) continue;
    lsum += trend[i] + d[i] - season(i);
    tsum += i;
    ++lcount;
  }
  if (lcount == 0) return false;
  double level = lsum / lcount;
  const double level_pos = tsum / lcount;

  double slope = 0, phi = 0;
  if (spec.trend) {
    // Least-squares slope of the deseasonalised series over a window of
    // several periods, damped so it fades after about half that window.
    const int tw = std::min(n, std::max({2 * pmax, 4 * spec.level_window, 48}));
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int m = 0;
    for (int i = n - tw; i < n; ++i) {
      if (!std::isfinite(d[i])) continue;
      const double v = trend[i] + d[i] - season(i);
      const double xi = i - (n - tw);
      sx += xi;
      sy += v;
      sxx += xi * xi;
      sxy += xi * v;
      ++m;
    }
    const double den = m * sxx - sx * sx;
    if (m >= 8 && den > 0) slope = (m * sxy - sx * sy) / den;
    phi = std::exp(-2.0 / tw);
    // The level was measured at its window's centre; move it to the end.
    level += slope * (n - 1 - level_pos);
  }

  double damp_sum = 0, damp = 1;
  for (size_t h = 0; h < out.size(); ++h) {
    damp *= phi;
    damp_sum += damp;
    const double v = level + slope * damp_sum + season(n + static_cast<long>(h));
    out[h] = spec.log_scale ? std::exp(v) - spec.log_offset : v;
  }
  return true;
}

}  // namespace kpulse::analytics
