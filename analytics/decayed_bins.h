// A histogram of N bins whose older entries weigh less: an entry weighs half
// after `half_life` newer ones. Used to rank a value against a series' own
// recent past (analytics/anomaly_tail.h) in bounded memory.
//
// Rather than decaying every bin at each entry, each new entry weighs
// 1/decay times the one before, and the stored weights are rescaled before
// they overflow: an entry costs one bin update, not N.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>

namespace kpulse::analytics {

template <size_t N>
class DecayedBins {
 public:
  explicit DecayedBins(double half_life) : decay_(std::exp(std::log(0.5) / half_life)) {}

  void add(size_t bin) {
    weight_ /= decay_;
    if (weight_ > 1e150) {
      for (double& b : bins_) b /= weight_;
      total_ /= weight_;
      weight_ = 1.0;
    }
    total_ += weight_;
    bins_[bin] += weight_;
  }

  // Decayed number of entries, the newest counting 1.
  [[nodiscard]] double count() const { return total_ / weight_; }
  // Decayed entries in bin `bin`, and in the bins from `first` up.
  [[nodiscard]] double in(size_t bin) const { return bins_[bin] / weight_; }
  [[nodiscard]] double from(size_t first) const {
    double sum = 0;
    for (size_t i = first; i < N; ++i) sum += bins_[i];
    return sum / weight_;
  }
  // The factor by which one entry's weight falls per newer entry.
  [[nodiscard]] double decay() const { return decay_; }

 private:
  std::array<double, N> bins_{};
  double total_ = 0;
  double weight_ = 1.0;  // weight of the newest entry, in stored units
  double decay_;
};

}  // namespace kpulse::analytics
