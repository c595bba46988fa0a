#include "analytics/forecast_clean.h"

#include <algorithm>
#include <cmath>

namespace kpulse::analytics {

void despike(std::span<const double> y, std::vector<double>& out, std::span<const int> periods,
             int half_window, double k) {
  const int n = static_cast<int>(y.size());
  out.assign(y.begin(), y.end());
  if (n < 2 * half_window + 1) return;
  // Scale from step-to-step changes: deviations from a running median are
  // mostly exactly 0 on smooth stretches, so their median says nothing.
  std::vector<double> dev, win;
  double prev = NAN;
  for (int i = 0; i < n; ++i) {
    if (!std::isfinite(y[i])) continue;
    if (std::isfinite(prev)) dev.push_back(std::fabs(y[i] - prev));
    prev = y[i];
  }
  if (dev.size() < 8) return;
  auto mid = dev.begin() + dev.size() / 2;
  std::nth_element(dev.begin(), mid, dev.end());
  const double limit = k * 1.4826 * *mid / std::sqrt(2.0);
  if (limit <= 0) return;
  win.reserve(2 * half_window + 1);

  // Deviation of y[i] from its neighbourhood median, or 0 when y[i] is close
  // to every neighbour (then the median, which lies between them, is too;
  // this spares the selection for almost every step).
  auto deviation = [&](int i) -> double {
    if (i < 0 || i >= n || !std::isfinite(y[i])) return 0.0;
    win.clear();
    double lo = y[i], hi = y[i];
    for (int j = std::max(0, i - half_window); j <= std::min(n - 1, i + half_window); ++j)
      if (std::isfinite(y[j])) {
        win.push_back(y[j]);
        lo = std::min(lo, y[j]);
        hi = std::max(hi, y[j]);
      }
    if (y[i] - lo <= limit && hi - y[i] <= limit) return 0.0;
    auto m = win.begin() + win.size() / 2;
    std::nth_element(win.begin(), m, win.end());
    return y[i] - *m;
  };

  for (int i = 0; i < n; ++i) {
    const double dv = deviation(i);
    if (std::fabs(dv) <= limit) continue;
    // Recurring: the same phase one period away jumps the same way by at
    // least half as much.
    bool recurs = false;
    for (int p : periods) {
      if (p <= half_window) continue;
      for (int j : {i - p, i + p}) {
        const double other = deviation(j);
        if (other * dv > 0 && std::fabs(other) > 0.5 * limit) recurs = true;
      }
    }
    if (recurs) continue;
    const double median = y[i] - dv;
    out[i] = median;
  }
}

}  // namespace kpulse::analytics
