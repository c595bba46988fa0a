// kpulse's forecaster: per metric series on a regular step (gaps allowed),
// point forecasts with 80 % and 95 % prediction intervals.
//
// How: detect the seasonal periods (autocorrelation), build a family of
// robust seasonal-profile models (forecast_profile.h: with/without the
// detected and calendar periods, short/long level windows, damped trend or
// not, additive or log scale), score each on rolling origins inside the
// history at the requested horizon, and average the best few. Intervals are
// the empirical quantiles of those backtest errors per horizon band
// (additive or proportional to the forecast, whichever scored better), so
// they are calibrated on how this series actually behaves. Forecasts of a
// non-negative series are never negative. A series too short for that (see
// kConfidentValues) gets the benchmark forecast, marked low-confidence.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kpulse::analytics {

// Fewer finite values than this give no forecast at all: a level, a slope
// and a spread need at least one value each (`kpulse forecast` refuses them).
inline constexpr int kMinForecastValues = 3;
// Fewer values than this get the benchmark forecast (forecast_drift.h: the
// last value, intervals spanning the naive and drift methods') and are
// marked low-confidence: too few to choose among models or to take
// quantiles of their errors.
inline constexpr int kConfidentValues = 30;

struct ForecastOptions {
  int horizon = 168;            // steps to forecast
  int64_t step_seconds = 3600;  // used to place daily/weekly periods
  int max_origins = 6;          // backtest origins (one per day back)
  int combine = 3;              // best candidates averaged
  // Bulk mode: fewer candidates and one backtest origin, for forecasting
  // thousands of series at once (see BENCHMARKS.md for the cost of each).
  bool bulk = false;
};

struct Forecast {
  std::vector<double> point, lo80, hi80, lo95, hi95;  // `horizon` values each
  std::vector<int> periods;                           // detected seasonal periods, steps
  std::string method;  // the candidates averaged, for display and debugging
  // Set when the history was too short (or its backtest too small) to trust
  // the models; `note` says why, for people ("8 values (a confident forecast
  // needs 30): ..."). The intervals then span the naive and drift benchmarks',
  // or are at least the drift one's.
  bool low_confidence = false;
  std::string note;
};

// `y[i]` is the value at step i (NaN = missing). Never throws on odd data:
// fewer than kMinForecastValues values give the last one (zeros when none)
// flat, marked low-confidence with a note; callers should not show it as a
// forecast.
Forecast forecast_series(std::span<const double> y, const ForecastOptions& opt);

}  // namespace kpulse::analytics
