// When a cgroup's next periodic peak comes, from the analytics forecaster:
// the season (analytics/season_detect.h) says the series repeats, the
// forecast (analytics/forecast.h) of the next period says where its peak
// lies. Predictive scaling raises a limit ahead of that peak.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace kpulse::tune {

struct PeakForecastOptions {
  int min_period = 4;        // shortest period considered, in samples
  int lead = 3;              // samples of forecast beyond one period
  int64_t step_seconds = 1;  // sample interval, for the forecaster's calendar periods
  // The forecast's swing over a period must be at least this fraction of
  // its peak: a flat forecast has no peak to prepare for.
  double min_swing = 0.2;
};

struct PredictedPeak {
  int period = 0;        // samples, the detected season
  double acf = 0;        // its autocorrelation
  int onset = 0;         // samples until the first one at burst level (1 = the next)
  int length = 0;        // consecutive forecast samples at burst level
  double peak = 0;       // highest point forecast in the burst
  double threshold = 0;  // level separating burst from quiet, midway in the forecast's range
};

// `history` oldest first, one value per sample (NaN = missing). Needs two
// full periods; nullopt without a season, or when the forecast of the next
// period has no pronounced peak.
std::optional<PredictedPeak> predict_peak(std::span<const double> history,
                                          const PeakForecastOptions& options);

}  // namespace kpulse::tune
