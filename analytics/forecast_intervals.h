// Prediction intervals from backtest errors: empirical quantiles of the
// errors the forecaster made on rolling origins inside the history, per
// horizon band, either additive or proportional to the forecast (whichever
// has the better interval score on those errors).
#pragma once

#include <vector>

#include "analytics/forecast.h"

namespace kpulse::analytics {

// One backtest error: horizon index (0 = first step), the forecast, and
// actual - forecast.
struct BacktestError {
  int h;
  double f;
  double e;
};

struct IntervalBand {
  int end;  // exclusive horizon index
  double q025, q10, q90, q975;
};

struct IntervalModel {
  std::vector<IntervalBand> bands;  // by horizon, never narrowing
  bool relative = false;            // quantiles of e / (|f| + c), else of e
  double c = 0;
};

// `horizon` is the longest backtested horizon; `c` the offset for
// proportional errors. `errs` must not be empty.
IntervalModel fit_intervals(const std::vector<BacktestError>& errs, int horizon, double c);

// Sets f.lo80/hi80/lo95/hi95 around f.point. Steps beyond the backtested
// horizon widen like a random walk; fewer origins widen everything a little.
void apply_intervals(const IntervalModel& m, int backtest_horizon, int origins, Forecast& f);

}  // namespace kpulse::analytics
