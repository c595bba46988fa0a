// Tail probability of a surprise value against the stream's own history of
// surprises: how rare is a deviation this large *for this series*? Turning
// raw surprises into ranks makes scores comparable across metrics whose
// noise is Gaussian, spiky or quantised alike.
//
// Bounded memory: an exponentially decayed histogram over log-spaced bins.
#pragma once

#include <cstddef>
#include <limits>

#include "analytics/decayed_bins.h"

namespace kpulse::analytics {

class SurpriseTail {
 public:
  // half_life: samples after which an old surprise weighs half.
  // record_rise: the most one surprise can lift the long-term record (a
  // factor); whatever it has beyond that is an episode record that fades with
  // a half-life of episode_half_life samples. One incident then masks its own
  // aftermath but does not raise the bar for the next, smaller incident for
  // as long as the history remembers it (the default: no limit).
  explicit SurpriseTail(double half_life = 2000,
                        double record_rise = std::numeric_limits<double>::infinity(),
                        double episode_half_life = 24);

  // Probability that a past surprise was at least z (weighted by age), with
  // the largest value seen so far extrapolated beyond so records still rank by
  // size. Call before add() for a strictly past-only estimate.
  double tail(double z) const;
  void add(double z);
  // Decayed number of samples seen (the newest counts 1).
  double weight() const { return bins_.count(); }

 private:
  static constexpr int kBins = 96;
  static int bin_of(double z);

  DecayedBins<kBins> bins_;
  double max_z_ = 0;  // long-term record, fading as the bins do
  double record_rise_;
  double episode_z_ = 0;  // an incident beyond record_rise, fading with episode_decay_
  double episode_decay_;
};

}  // namespace kpulse::analytics
