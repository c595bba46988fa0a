// Windowed anomaly likelihood (after Numenta's, Ahmad et al. 2017): how
// unlikely is the *recent average* of a bounded raw surprise, given how that
// average has been distributed over the long run? A cluster of moderately
// unusual samples, none rare on its own, is rare as a cluster; a series whose
// surprises always come in clusters (a noisy or bursty metric) learns that its
// average runs high and stops alarming on it.
//
// O(1) per sample, constant memory: the short average is exponential, and its
// long-run distribution is a Gaussian with exponentially weighted mean and
// variance (floored, as Numenta floors them, so a long quiet stretch does not
// make the slightest blip look impossible).
#pragma once

namespace kpulse::analytics {

class WindowedLikelihood {
 public:
  // short_samples: samples the recent average spans; long_half_life: memory of
  // its distribution (samples).
  WindowedLikelihood(double short_samples, double long_half_life);

  // Adds a raw surprise in [0, 1] and returns the upper tail probability of
  // the new recent average under the distribution of the past ones (1 until
  // enough averages were seen to estimate it).
  double update(double raw);

 private:
  double short_rate_;
  double long_rate_;
  double recent_ = 0;
  double mean_ = 0;
  double variance_ = 0;
  double seen_ = 0;
};

}  // namespace kpulse::analytics
