#include "tune/periodicity.h"

#include <algorithm>
#include <numeric>

namespace kpulse::tune {

std::optional<Periodicity> detect_period(const std::vector<double>& x, int min_lag,
                                         double min_strength) {
  const int n = static_cast<int>(x.size());
  if (n < 2 * min_lag + 2) return std::nullopt;
  double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double var = 0;
  for (double v : x) var += (v - mean) * (v - mean);
  if (var <= 0) return std::nullopt;
  auto acf = [&](int lag) {
    double s = 0;
    for (int i = 0; i + lag < n; ++i) s += (x[i] - mean) * (x[i + lag] - mean);
    return s / var * n / (n - lag);  // unbiased for the shorter overlap
  };
  // The first strong local maximum: multiples of the period correlate too.
  Periodicity p;
  for (int lag = min_lag; lag <= n / 2; ++lag) {
    double a = acf(lag);
    if (a >= min_strength && a >= acf(lag - 1) && a >= acf(lag + 1)) {
      p.period = lag;
      p.strength = a;
      break;
    }
  }
  if (!p.period) return std::nullopt;
  auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  p.threshold = (*lo + *hi) / 2;
  int bursts = 0, above = 0;
  for (int i = 1; i < n; ++i) {
    if (x[i] >= p.threshold) ++above;
    if (x[i] >= p.threshold && x[i - 1] < p.threshold) {
      p.last_onset = i;
      ++bursts;
    }
  }
  if (p.last_onset < 0) return std::nullopt;
  p.burst_len = static_cast<double>(above) / std::max(bursts, 1);
  return p;
}

}  // namespace kpulse::tune
