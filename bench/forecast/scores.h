// Forecast accuracy scores, as the project's evaluation protocol defines
// them (shared/data/forecast/README.md).
#pragma once

#include <span>

#include "bench/forecast/baselines.h"

namespace kpulse::bench {

struct Scores {
  double mase = 0, smape = 0, cover80 = 0, cover95 = 0, msis = 0;
  int scored = 0;  // target steps present
};

// In-sample MAE of the seasonal naive forecast with period m (the MASE scale).
double seasonal_naive_mae(std::span<const double> history, int m);

// Scores of one forecast against `actual` (NaN = not scored).
Scores score(const IntervalForecast& f, std::span<const double> actual, double scale);

}  // namespace kpulse::bench
