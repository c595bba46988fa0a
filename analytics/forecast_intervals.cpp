#include "analytics/forecast_intervals.h"

#include <algorithm>
#include <cmath>

namespace kpulse::analytics {
namespace {

constexpr double kZ95OverZ80 = 1.959964 / 1.281552;
// Backtest errors come from few, overlapping origins and from the very
// candidates they selected, so they understate future errors; widen more
// the fewer origins there were (x1.04 at 6, x1.1 at 1).
constexpr double kWidenPerOrigin = 0.1;

// Linear-interpolated quantile of sorted values.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * (sorted.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
}

// Quantiles of scaled errors per horizon band, widened so later bands are
// never narrower than earlier ones.
std::vector<IntervalBand> fit_bands(const std::vector<BacktestError>& errs, int horizon, double c,
                                    bool relative) {
  const int edges[] = {std::max(1, horizon / 28), std::max(1, horizon / 7),
                       std::max(1, 3 * horizon / 7), horizon};
  std::vector<IntervalBand> bands;
  std::vector<double> v;
  int start = 0;
  for (int end : edges) {
    if (end <= start) continue;
    v.clear();
    for (const auto& e : errs)
      if (e.h >= start && e.h < end) v.push_back(relative ? e.e / (std::fabs(e.f) + c) : e.e);
    if (v.size() < 20) {  // too few for quantiles: merge into the next band
      if (end != horizon) continue;
      v.clear();
      for (const auto& e : errs) v.push_back(relative ? e.e / (std::fabs(e.f) + c) : e.e);
    }
    std::sort(v.begin(), v.end());
    IntervalBand b{end, quantile(v, 0.025), quantile(v, 0.10), quantile(v, 0.90),
                   quantile(v, 0.975)};
    // Few backtest errors land in the 2.5 % tails, so the 95 % bounds are
    // at least as wide, relative to the 80 % ones, as for normal errors.
    const double med = quantile(v, 0.5);
    b.q025 = std::min(b.q025, med + (b.q10 - med) * kZ95OverZ80);
    b.q975 = std::max(b.q975, med + (b.q90 - med) * kZ95OverZ80);
    if (!bands.empty()) {
      const IntervalBand& p = bands.back();
      b.q025 = std::min(b.q025, p.q025);
      b.q10 = std::min(b.q10, p.q10);
      b.q90 = std::max(b.q90, p.q90);
      b.q975 = std::max(b.q975, p.q975);
    }
    bands.push_back(b);
    start = end;
  }
  return bands;
}

const IntervalBand& band_for(const std::vector<IntervalBand>& bands, int h) {
  for (const auto& b : bands)
    if (h < b.end) return b;
  return bands.back();
}

// Winkler interval score of the bands on the backtest errors (lower = better).
double interval_score(const std::vector<BacktestError>& errs,
                      const std::vector<IntervalBand>& bands, double c, bool relative) {
  double total = 0;
  for (const auto& e : errs) {
    const IntervalBand& b = band_for(bands, e.h);
    const double s = relative ? std::fabs(e.f) + c : 1.0;
    auto score = [&](double lo, double hi, double alpha) {
      lo *= s;
      hi *= s;
      double v = hi - lo;
      if (e.e < lo) v += 2 / alpha * (lo - e.e);
      if (e.e > hi) v += 2 / alpha * (e.e - hi);
      return v;
    };
    total += score(b.q10, b.q90, 0.2) + score(b.q025, b.q975, 0.05);
  }
  return total;
}

}  // namespace

IntervalModel fit_intervals(const std::vector<BacktestError>& errs, int horizon, double c) {
  IntervalModel m;
  m.c = c;
  auto additive = fit_bands(errs, horizon, c, false);
  auto relative = fit_bands(errs, horizon, c, true);
  m.relative = interval_score(errs, relative, c, true) < interval_score(errs, additive, c, false);
  m.bands = m.relative ? std::move(relative) : std::move(additive);
  return m;
}

void apply_intervals(const IntervalModel& m, int backtest_horizon, int origins, Forecast& f) {
  const int horizon = static_cast<int>(f.point.size());
  f.lo80.resize(horizon);
  f.hi80.resize(horizon);
  f.lo95.resize(horizon);
  f.hi95.resize(horizon);
  const double inflate = 1.0 + kWidenPerOrigin / std::sqrt(std::max(1.0, double(origins)));
  const int bt_h = std::max(1, backtest_horizon);
  for (int h = 0; h < horizon; ++h) {
    const IntervalBand& b = band_for(m.bands, h);
    const double grow = h >= bt_h ? std::sqrt(double(h + 1) / bt_h) : 1.0;
    const double s = (m.relative ? std::fabs(f.point[h]) + m.c : 1.0) * grow * inflate;
    f.lo80[h] = f.point[h] + s * b.q10;
    f.hi80[h] = f.point[h] + s * b.q90;
    f.lo95[h] = f.point[h] + s * b.q025;
    f.hi95[h] = f.point[h] + s * b.q975;
  }
}

}  // namespace kpulse::analytics
