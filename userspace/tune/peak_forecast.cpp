#include "tune/peak_forecast.h"

#include <algorithm>
#include <cmath>

#include "analytics/forecast.h"
#include "analytics/season_detect.h"

namespace kpulse::tune {

std::optional<PredictedPeak> predict_peak(std::span<const double> history,
                                          const PeakForecastOptions& options) {
  const int n = static_cast<int>(history.size());
  if (n < 2 * options.min_period + 2) return std::nullopt;
  // Season detection first: it is cheap, and without a season there is no
  // periodic peak to forecast (a one-off rise is the reactive tuners' job).
  analytics::SeasonOptions so;
  so.max_period = n / 2;  // two periods of history are enough to act on
  PredictedPeak p;
  for (const auto& s : analytics::detect_seasons(history, so))
    if (s.period >= options.min_period) {
      p.period = s.period;
      p.acf = s.acf;
      break;
    }
  if (!p.period) return std::nullopt;

  // One full period ahead (plus the lead) holds exactly one peak and one
  // quiet stretch, so the forecast's own range gives the burst level.
  analytics::ForecastOptions fo;
  fo.horizon = p.period + options.lead;
  fo.step_seconds = std::max<int64_t>(1, options.step_seconds);
  const analytics::Forecast f = analytics::forecast_series(history, fo);
  if (f.periods.empty() || f.point.empty()) return std::nullopt;
  auto [lo, hi] = std::minmax_element(f.point.begin(), f.point.end());
  if (!(*hi > 0) || *hi - *lo < options.min_swing * std::fabs(*hi)) return std::nullopt;
  p.threshold = (*lo + *hi) / 2;

  // The next rising crossing: after the last observed value when that is
  // quiet, else after the burst the series is in now.
  double prev = NAN;
  for (int i = n - 1; i >= 0 && std::isnan(prev); --i) prev = history[i];
  const int horizon = static_cast<int>(f.point.size());
  int h = 0;
  for (; h < horizon; ++h) {
    if (f.point[h] >= p.threshold && !(prev >= p.threshold)) break;
    prev = f.point[h];
  }
  if (h == horizon) return std::nullopt;
  p.onset = h + 1;
  for (int k = h; k < horizon && f.point[k] >= p.threshold; ++k) {
    ++p.length;
    p.peak = std::max(p.peak, f.point[k]);
  }
  return p;
}

}  // namespace kpulse::tune
