// One candidate forecaster: a robust seasonal-profile decomposition.
//
//   y(t) = level + damped trend + S1(t mod p1) + S2(t mod p2) + noise
//
// The profiles are recency-weighted means of the series minus a moving
// average spanning the longest period (so level shifts and drifts don't leak
// into them), shrunk by how noisy they are. The level is the mean of the
// deseasonalised series, its residual winsorized, over a recent window (or
// since a detected level shift), which is what makes the model follow level
// shifts. Optionally fitted on log(y + c) for series whose
// seasonal swing scales with their level (counts, rates).
#pragma once

#include <span>
#include <vector>

namespace kpulse::analytics {

struct ProfileSpec {
  int period1 = 0;        // steps; 0 = no seasonality
  int period2 = 0;        // a longer period (0 = none), fitted on what period1 leaves
  int level_window = 24;  // steps averaged for the current level
  bool trend = false;     // add a damped linear trend
  // How long the trend lasts, in multiples of its estimation window: the
  // damped trend's total contribution tends to slope * window * persistence.
  double trend_persistence = 0.5;
  bool log_scale = false;  // fit log(y + log_offset); y must be >= 0
  double log_offset = 1;
  double decay1 = 0.85;  // weight of each older cycle of period1
  double decay2 = 0.8;   // same for period2
};

// The part of a fit that depends only on the data and the seasonal
// structure, not on the level window or the trend: candidates that differ
// only in those (most of them) share it.
struct ProfileDecomposition {
  // Key: which prefix of which series, in which space, with which periods.
  const double* src = nullptr;
  int n = -1;
  bool log_scale = false;
  double log_offset = 0;
  int period1 = 0, period2 = 0, window = 0;
  double decay1 = 0, decay2 = 0;
  // Value: the moving average, the winsorized residual around it, the
  // seasonal component laid out over the history and a horizon, the noise.
  std::vector<double> ma, d, seas;
  double noise = 0;
  // The level (and the trend's slope) of each level window fitted on this
  // decomposition so far: candidates differing only in their trend share
  // them. Cleared when the decomposition is recomputed.
  struct Level {
    int window = 0;
    double level = 0, level_pos = 0;  // level, measured at index level_pos
    bool has_slope = false;
    double slope = 0;
  };
  std::vector<Level> levels;
};

// Scratch buffers reused between fits so bulk forecasting doesn't allocate.
struct ProfileWorkspace {
  std::vector<double> sum, cnt, tmp, s1, w1, s2, w2;
  // One decomposition per scale (linear, log): candidates alternate between
  // the two, so one slot each keeps both warm.
  ProfileDecomposition dec[2];
  // log(y + offset) of the last series seen (fits of its prefixes reuse it).
  // Callers must not change a series' values between fits that share a
  // workspace.
  std::vector<double> logx;
  const double* log_src = nullptr;
  double log_offset = 0;
  // Prefix sums (and counts of present steps) of the series in model space,
  // for its moving averages: those of a longer prefix of the same series
  // hold every shorter one's, so the backtest origins share them.
  std::vector<double> xsum, xcnt;
  const double* xsum_src = nullptr;
  double xsum_offset = 0;
};

// Fits on `y` (NaN = missing) and writes out.size() forecasts for the steps
// right after it. Fits of the same prefix with the same seasonal structure
// reuse the workspace's decomposition, so calling it for every candidate at
// one origin before moving to the next origin is the cheap order. Returns false (out untouched)
// when `y` is too short for the spec.
bool profile_forecast(std::span<const double> y, const ProfileSpec& spec, std::span<double> out,
                      ProfileWorkspace& ws);

// Steps of history a spec needs at least.
int profile_min_history(const ProfileSpec& spec);

}  // namespace kpulse::analytics
