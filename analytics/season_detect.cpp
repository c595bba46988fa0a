#include "analytics/season_detect.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace kpulse::analytics {

std::vector<double> detrended_acf(std::span<const double> y, int max_lag, int trend_window,
                                  const std::vector<bool>& only) {
  const int n = static_cast<int>(y.size());
  std::vector<double> acf(std::max(0, max_lag) + 1, 0.0);
  if (n < 3) return acf;
  // Prefix sums over the present values give an O(n) moving average.
  std::vector<double> sum(n + 1, 0.0), cnt(n + 1, 0.0);
  for (int i = 0; i < n; ++i) {
    const bool ok = std::isfinite(y[i]);
    sum[i + 1] = sum[i] + (ok ? y[i] : 0.0);
    cnt[i + 1] = cnt[i] + (ok ? 1.0 : 0.0);
  }
  const int w = std::clamp(trend_window, 1, n);
  std::vector<double> d(n);
  double mean = 0;
  int present = 0;
  for (int i = 0; i < n; ++i) {
    if (!std::isfinite(y[i])) {
      d[i] = NAN;
      continue;
    }
    // A full window everywhere, shifted inward at the edges, so every
    // average spans whole periods.
    const int lo = std::clamp(i - w / 2, 0, n - w);
    const double c = cnt[lo + w] - cnt[lo];
    d[i] = y[i] - (sum[lo + w] - sum[lo]) / c;
    mean += d[i];
    ++present;
  }
  if (present < 3) return acf;
  mean /= present;
  double var = 0;
  for (int i = 0; i < n; ++i)
    if (std::isfinite(d[i])) {
      d[i] -= mean;
      var += d[i] * d[i];
    }
  if (var <= 0) return acf;
  acf[0] = 1.0;
  for (int lag = 1; lag <= max_lag && lag < n; ++lag) {
    if (!only.empty() && (lag >= static_cast<int>(only.size()) || !only[lag])) continue;
    double s = 0;
    int pairs = 0;
    for (int i = lag; i < n; ++i) {
      const double p = d[i] * d[i - lag];
      if (std::isfinite(p)) {
        s += p;
        ++pairs;
      }
    }
    // Normalised by the pairs actually present so gaps don't shrink it.
    acf[lag] = pairs > 0 ? (s / pairs) / (var / present) : 0.0;
  }
  return acf;
}

std::vector<DetectedSeason> detect_seasons(std::span<const double> y, const SeasonOptions& opt) {
  const int n = static_cast<int>(y.size());
  int max_p = opt.max_period > 0 ? std::min(opt.max_period, n / 2) : n / 3;
  if (max_p < 2) return {};
  // Detrend with a window longer than any candidate period.
  const int window = std::min(n, 2 * max_p + 1);
  std::vector<bool> only;
  if (opt.preferred_only) {
    only.assign(max_p + 2, false);
    for (int pref : opt.preferred)
      for (int p : {pref, pref / 2}) {
        const int r = std::max(1, p / 20) + 1;
        for (int q = std::max(1, p - r); q <= std::min(max_p + 1, p + r); ++q) only[q] = true;
      }
  }
  const std::vector<double> acf = detrended_acf(y, max_p + 1, window, only);
  // Local maxima over a neighbourhood proportional to the lag (peaks at long
  // lags are wider), above the significance floor.
  // A peak must also rise above the lowest correlation at shorter lags by
  // kMinProminence: a smooth, slowly varying series has a falling ACF whose
  // estimation noise would otherwise make tiny local maxima at short lags.
  constexpr double kMinProminence = 0.15;
  std::vector<DetectedSeason> peaks;
  double lowest = acf[1];
  for (int p = 2; p <= max_p; ++p) {
    lowest = std::min(lowest, acf[p - 1]);
    const int r = std::max(1, p / 20);
    bool is_max = acf[p] >= opt.min_acf && acf[p] - lowest >= kMinProminence;
    for (int q = std::max(1, p - r); is_max && q <= std::min(max_p + 1, p + r); ++q)
      if (q != p && acf[q] > acf[p]) is_max = false;
    if (is_max) peaks.push_back({p, acf[p]});
  }
  if (peaks.empty()) return {};
  auto snap = [&](DetectedSeason s) {
    for (int pref : opt.preferred)
      if (pref >= 2 && pref <= max_p && std::abs(s.period - pref) <= std::max(1, pref * 3 / 100))
        return DetectedSeason{pref, acf[pref]};
    return s;
  };
  for (auto& pk : peaks) pk = snap(pk);
  // The base period: the shortest peak of which the strongest peak is a
  // multiple, if it correlates at least half as much (a week is 7 days; the
  // daily cycle is the base and the week the longer season).
  std::sort(peaks.begin(), peaks.end(),
            [](const auto& a, const auto& b) { return a.period < b.period; });
  DetectedSeason base = *std::max_element(
      peaks.begin(), peaks.end(), [](const auto& a, const auto& b) { return a.acf < b.acf; });
  for (const auto& pk : peaks) {
    if (pk.period >= base.period) break;
    const int k = static_cast<int>(std::lround(double(base.period) / pk.period));
    if (k >= 2 && std::abs(base.period - k * pk.period) <= std::max(1, base.period / 50) &&
        pk.acf >= 0.5 * base.acf) {
      base = pk;
      break;
    }
  }
  std::vector<DetectedSeason> out{base};
  // A longer cycle: a multiple of the base that correlates more than the
  // base does (weekdays differ from weekends).
  DetectedSeason longer{};
  for (const auto& pk : peaks) {
    if (pk.period < 2 * base.period) continue;
    const int k = static_cast<int>(std::lround(double(pk.period) / base.period));
    if (std::abs(pk.period - k * base.period) > std::max(1, pk.period / 50)) continue;
    if (pk.acf > base.acf + 0.02 && pk.acf > longer.acf) longer = pk;
  }
  if (longer.period > 0) out.push_back(longer);
  return out;
}

}  // namespace kpulse::analytics
