#include "bench/forecast/scores.h"

#include <cmath>

namespace kpulse::bench {

double seasonal_naive_mae(std::span<const double> y, int m) {
  double s = 0;
  int c = 0;
  for (size_t t = m; t < y.size(); ++t)
    if (std::isfinite(y[t]) && std::isfinite(y[t - m])) {
      s += std::fabs(y[t] - y[t - m]);
      ++c;
    }
  return c ? s / c : 0.0;
}

Scores score(const IntervalForecast& f, std::span<const double> actual, double scale) {
  Scores r;
  double ae = 0, sm = 0, c80 = 0, c95 = 0, is = 0;
  for (size_t h = 0; h < actual.size(); ++h) {
    const double y = actual[h];
    if (!std::isfinite(y)) continue;
    const double p = f.point[h];
    ae += std::fabs(y - p);
    const double den = std::fabs(y) + std::fabs(p);
    sm += den > 0 ? 200.0 * std::fabs(y - p) / den : 0.0;
    c80 += (y >= f.lo80[h] && y <= f.hi80[h]);
    c95 += (y >= f.lo95[h] && y <= f.hi95[h]);
    const double lo = f.lo95[h], hi = f.hi95[h];
    is += (hi - lo) + (y < lo ? 40.0 * (lo - y) : 0.0) + (y > hi ? 40.0 * (y - hi) : 0.0);
    ++r.scored;
  }
  if (r.scored == 0) return r;
  const double n = r.scored;
  r.mase = scale > 0 ? ae / n / scale : NAN;
  r.smape = sm / n;
  r.cover80 = c80 / n;
  r.cover95 = c95 / n;
  r.msis = scale > 0 ? is / n / scale : NAN;
  return r;
}

}  // namespace kpulse::bench
