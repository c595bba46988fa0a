#include "analytics/anomaly_knn.h"
#include <algorithm>
#include <cmath>
namespace kpulse::analytics {
KnnConformal::KnnConformal(int length, int memory, int k)
    : length_(length),
      memory_(memory),
      k_(k),
      recent_(size_t(length)),
      windows_(size_t(length) * size_t(memory)),
      scores_(size_t(memory)) {}
double KnnConformal::update(double x) {
  recent_[n_ % size_t(length_)] = x;
  ++n_;
  if (n_ < size_t(length_)) return 1.0;
  std::vector<double> w(static_cast<size_t>(length_), 0.0);
  for (int i = 0; i < length_; ++i) w[size_t(i)] = recent_[(n_ + size_t(i)) % size_t(length_)];
  // Distances to stored windows that do not overlap this one.
  const size_t usable = stored_ > size_t(length_) ? stored_ - size_t(length_) : 0;
  double p = 1.0;
  if (usable >= size_t(k_) * 4) {
    std::vector<double> d;
    d.reserve(usable);
    for (size_t j = 0; j < usable; ++j) {
      const size_t slot = (stored_ - size_t(length_) - 1 - j) % size_t(memory_);
      if (j >= size_t(memory_) - size_t(length_)) break;
      double s = 0;
      for (int i = 0; i < length_; ++i) {
        const double e = w[size_t(i)] - windows_[slot * size_t(length_) + size_t(i)];
        s += e * e;
      }
      d.push_back(std::sqrt(s));
    }
    std::nth_element(d.begin(), d.begin() + k_ - 1, d.end());
    double a = 0;
    for (int i = 0; i < k_; ++i) a += d[size_t(i)];
    if (scored_++ >= 20) p = tail_.tail(a);
    tail_.add(a);
  }
  std::copy(w.begin(), w.end(),
            windows_.begin() + ptrdiff_t((stored_ % size_t(memory_)) * size_t(length_)));
  ++stored_;
  return p;
}
}  // namespace kpulse::analytics
