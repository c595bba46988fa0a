#include "bench/forecast/baselines.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kpulse::bench {
namespace {

constexpr double kZ80 = 1.2815515655, kZ95 = 1.9599639845;

void fill_normal(IntervalForecast& f, int h, double sd) {
  f.lo80[h] = f.point[h] - kZ80 * sd;
  f.hi80[h] = f.point[h] + kZ80 * sd;
  f.lo95[h] = f.point[h] - kZ95 * sd;
  f.hi95[h] = f.point[h] + kZ95 * sd;
}

IntervalForecast sized(int horizon) {
  IntervalForecast f;
  f.point.assign(horizon, 0);
  f.lo80 = f.hi80 = f.lo95 = f.hi95 = f.point;
  return f;
}

double last_present(std::span<const double> y) {
  for (size_t i = y.size(); i-- > 0;)
    if (std::isfinite(y[i])) return y[i];
  return 0;
}

struct HwParams {
  double alpha, beta, gamma, phi;
};

struct HwState {
  double level = 0, trend = 0;
  std::vector<double> season;
};

// Classical start: level = mean of the first cycle, trend from the first
// two cycles' means, season = mean deviation from the cycle mean over all
// whole cycles of the history (initial states are free parameters; this
// estimate of them scored best of first-1/2/3/all cycles on the tuning set).
HwState hw_init(std::span<const double> y, int m) {
  HwState s;
  const int cycles = static_cast<int>(y.size()) / m;
  std::vector<double> means(cycles, 0.0);
  for (int c = 0; c < cycles; ++c) {
    double sum = 0;
    int cnt = 0;
    for (int i = c * m; i < (c + 1) * m; ++i)
      if (std::isfinite(y[i])) {
        sum += y[i];
        ++cnt;
      }
    means[c] = cnt ? sum / cnt : (c ? means[c - 1] : last_present(y));
  }
  s.level = means[0];
  s.trend = cycles >= 2 ? (means[1] - means[0]) / m : 0.0;
  s.season.assign(m, 0.0);
  for (int i = 0; i < m; ++i) {
    double sum = 0;
    int cnt = 0;
    for (int c = 0; c < cycles; ++c)
      if (std::isfinite(y[c * m + i])) {
        sum += y[c * m + i] - means[c];
        ++cnt;
      }
    s.season[i] = cnt ? sum / cnt : 0.0;
  }
  return s;
}

// Runs the recursion from step m to the end; returns the one-step SSE and
// the number of residuals.
double hw_run(std::span<const double> y, int m, const HwParams& p, HwState& s, int* count) {
  const int n = static_cast<int>(y.size());
  double sse = 0;
  int c = 0;
  for (int t = m; t < n; ++t) {
    double& st = s.season[t % m];
    const double fc = s.level + p.phi * s.trend + st;
    const double e = std::isfinite(y[t]) ? y[t] - fc : 0.0;
    if (std::isfinite(y[t])) {
      sse += e * e;
      ++c;
    }
    s.level = s.level + p.phi * s.trend + p.alpha * e;
    s.trend = p.phi * s.trend + p.beta * e;
    st += p.gamma * e;
  }
  if (count) *count = c;
  return sse;
}

}  // namespace

IntervalForecast seasonal_naive(std::span<const double> y, int m, int horizon) {
  IntervalForecast f = sized(horizon);
  const int n = static_cast<int>(y.size());
  double ss = 0;
  int cnt = 0;
  for (int t = m; t < n; ++t)
    if (std::isfinite(y[t]) && std::isfinite(y[t - m])) {
      const double d = y[t] - y[t - m];
      ss += d * d;
      ++cnt;
    }
  const double sd = cnt > 1 ? std::sqrt(ss / (cnt - 1)) : 0.0;
  const double fallback = last_present(y);
  for (int h = 0; h < horizon; ++h) {
    double v = std::numeric_limits<double>::quiet_NaN();
    for (long t = n + h - m; t >= 0; t -= m)
      if (t < n && std::isfinite(y[t])) {
        v = y[t];
        break;
      }
    f.point[h] = std::isfinite(v) ? v : fallback;
    // Whole seasons ahead: integer division on purpose.
    const int seasons_ahead = h / m;
    fill_normal(f, h, sd * std::sqrt(double(seasons_ahead + 1)));
  }
  return f;
}

IntervalForecast holt_winters(std::span<const double> y, int m, int horizon) {
  const int n = static_cast<int>(y.size());
  if (n < 2 * m) return seasonal_naive(y, std::min(m, std::max(1, n / 2)), horizon);
  static const double kAlpha[] = {0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9};
  static const double kBetaShare[] = {0.0, 0.02, 0.1, 0.3};
  static const double kGamma[] = {0.0, 0.02, 0.05, 0.1, 0.2, 0.4};
  static const double kPhi[] = {0.8, 0.9, 0.98};
  HwParams best{0.2, 0, 0.1, 0.9};
  double best_sse = std::numeric_limits<double>::infinity();
  const HwState init = hw_init(y, m);
  for (double a : kAlpha)
    for (double bs : kBetaShare)
      for (double g : kGamma)
        for (double phi : kPhi) {
          HwParams p{a, a * bs, g * (1 - a), phi};
          HwState s = init;
          const double sse = hw_run(y, m, p, s, nullptr);
          if (sse < best_sse) {
            best_sse = sse;
            best = p;
          }
        }
  HwState s = init;
  int cnt = 0;
  const double sse = hw_run(y, m, best, s, &cnt);
  const double sigma2 = cnt > 1 ? sse / (cnt - 1) : 0.0;
  IntervalForecast f = sized(horizon);
  double phi_sum = 0, phi_pow = 1, var_sum = 0;
  for (int h = 0; h < horizon; ++h) {
    phi_pow *= best.phi;
    phi_sum += phi_pow;
    f.point[h] = s.level + phi_sum * s.trend + s.season[(n + h) % m];
    fill_normal(f, h, std::sqrt(sigma2 * (1 + var_sum)));
    // c_j for the next step's variance: alpha + beta * (phi + ... + phi^j) +
    // gamma when j is a whole number of seasons.
    const int j = h + 1;
    const double cj = best.alpha + best.beta * phi_sum + (j % m == 0 ? best.gamma : 0.0);
    var_sum += cj * cj;
  }
  return f;
}

void clip_at_zero(IntervalForecast& f) {
  for (auto* v : {&f.point, &f.lo80, &f.hi80, &f.lo95, &f.hi95})
    for (double& x : *v) x = std::max(0.0, x);
}

}  // namespace kpulse::bench
