// Experimental: conformal kNN distance of the recent window (KNN-CAD-like).
#pragma once
#include <cstddef>
#include <vector>
#include "analytics/anomaly_tail.h"
namespace kpulse::analytics {
class KnnConformal {
 public:
  KnnConformal(int length, int memory, int k);
  // x already scaled; returns the conformal p-value of the newest window.
  double update(double x);

 private:
  int length_, memory_, k_;
  std::vector<double> recent_;   // last `length_` values (ring)
  std::vector<double> windows_;  // memory_ x length_ past windows (ring)
  std::vector<double> scores_;   // memory_ past nonconformity scores (ring)
  SurpriseTail tail_{500, 5.0, 24};
  size_t n_ = 0, stored_ = 0, scored_ = 0;
};
}  // namespace kpulse::analytics
