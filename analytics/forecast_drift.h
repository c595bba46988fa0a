// The two benchmark methods of Hyndman & Athanasopoulos, "Forecasting:
// Principles and Practice" (benchmark methods and their prediction
// intervals), for series too short for kpulse's models:
//  - naive: the last value, sd_h = sigma_n * sqrt(h), sigma_n the RMS of the
//    one-step changes;
//  - drift: the last value plus the average change per step,
//    sd_h = sigma_d * sqrt(h * (1 + h / T)), sigma_d the spread of the changes
//    around their average, T the steps the history spans (the h/T term is the
//    uncertainty of the slope).
// A short series is forecast by the naive method (on short windows of real
// series a slope fitted to a few values mostly extrapolates noise), with
// intervals wide enough for both: the trend may stop, or go on. With few
// values the spread itself is uncertain, so the quantiles are Student-t ones
// (T - 1 degrees of freedom for naive, T - 2 for drift), not normal.
//
// The drift intervals are also the floor under the models' intervals when
// they have too few backtest errors to take quantiles of.
#pragma once

#include <span>

#include "analytics/forecast.h"

namespace kpulse::analytics {

struct DriftModel {
  bool ok = false;         // false below kMinForecastValues finite values
  double last = 0;         // newest finite value
  int last_index = 0;      // its index in the series
  double slope = 0;        // average change per step
  double sigma = 0;        // spread of one-step changes around `slope` (floored, see .cpp)
  double span_steps = 1;   // steps between the first and the last finite value
  int dof = 1;             // degrees of freedom of `sigma`
  double naive_sigma = 0;  // RMS of the one-step changes (floored likewise)
  int naive_dof = 1;
};

// Fits both benchmarks to the finite values of `y` (NaN = missing step; a
// change across a gap of g steps counts as g steps of drift and noise).
DriftModel fit_drift(std::span<const double> y);

// Two-sided Student-t quantiles for 80 % and 95 % intervals (the 0.90 and
// 0.975 quantiles) with `dof` degrees of freedom (>= 1).
struct TQuantiles {
  double q80, q95;
};
TQuantiles student_t_quantiles(int dof);

// Half widths of the 80 % and 95 % intervals h + 1 steps after the end of a
// series of `n` steps (h = 0 is the first forecast step).
struct HalfWidths {
  double w80, w95;
};
HalfWidths drift_half_widths(const DriftModel& m, int n, int h);
HalfWidths naive_half_widths(const DriftModel& m, int n, int h);

// The short-series forecast, `horizon` steps after a series of `n` steps:
// the naive point forecast, intervals spanning the naive and the drift
// ones; method "naive+drift". Needs m.ok.
Forecast benchmark_forecast(const DriftModel& m, int n, int horizon);

// Widens f's intervals to at least the drift benchmark's half widths around
// f.point (never narrows them).
void widen_to_drift(const DriftModel& m, int n, Forecast& f);

}  // namespace kpulse::analytics
