// A small periodicity detector for predictive scaling: finds the period of a
// series by autocorrelation and where its bursts start. Used because the
// analytics forecaster is not merged on this branch.
#pragma once

#include <optional>
#include <vector>

namespace kpulse::tune {

struct Periodicity {
  int period = 0;        // in samples
  double strength = 0;   // autocorrelation at that lag (0..1)
  double threshold = 0;  // level separating bursts from quiet
  int last_onset = -1;   // index of the latest rising crossing of threshold
  double burst_len = 0;  // mean samples spent above threshold per burst
};

// Needs at least two full periods of data; nullopt when no lag in
// [min_lag, size/2] correlates at >= min_strength.
std::optional<Periodicity> detect_period(const std::vector<double>& x, int min_lag,
                                         double min_strength = 0.5);

}  // namespace kpulse::tune
