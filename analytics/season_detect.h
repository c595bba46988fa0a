// Finding the seasonal periods of a metric series from its autocorrelation.
#pragma once

#include <span>
#include <vector>

namespace kpulse::analytics {

struct SeasonOptions {
  int max_period = 0;          // longest period considered, in steps (0: n / 3)
  double min_acf = 0.2;        // a period's autocorrelation must reach this
  std::vector<int> preferred;  // periods to snap to when a peak is within 3 % (day, week)
  // Only look for peaks near the preferred periods (and their halves): much
  // cheaper, for bulk forecasting.
  bool preferred_only = false;
};

struct DetectedSeason {
  int period = 0;  // steps
  double acf = 0;  // autocorrelation of the detrended series at that lag
};

// The detected periods, shortest first: the strongest autocorrelation peak
// and, when the series also repeats over a longer multiple of it (e.g. a
// week over a day) with a higher correlation, that multiple. At most two.
// `y` may contain NaN (missing steps). Empty when the series has no
// significant seasonality.
std::vector<DetectedSeason> detect_seasons(std::span<const double> y, const SeasonOptions& opt);

// Autocorrelation of `y` at lags 0..max_lag after removing a centred moving
// average of `trend_window` steps (so slow drifts don't read as correlation).
// Missing steps are skipped pairwise.
// With `only` non-empty, lags not flagged in it are left at 0 (not computed).
std::vector<double> detrended_acf(std::span<const double> y, int max_lag, int trend_window,
                                  const std::vector<bool>& only = {});

}  // namespace kpulse::analytics
