// When the next burst of a periodic workload starts, from the onsets of its
// past bursts, and how early to get ready for it. Predictive scaling raises a
// CPU quota at `raise_at` and gives up on the burst after `give_up_at`.
#pragma once

#include <optional>
#include <span>

namespace kpulse::tune {

struct BurstPhase {
  double period = 0;      // seconds between onsets (robust: median of the gaps)
  double expected = 0;    // the next onset: the last one plus the period
  double margin = 0;      // how early the next onset may come, from the gaps' wander
  double raise_at = 0;    // expected - margin - lead
  double give_up_at = 0;  // a burst not begun by then did not come
  int gaps = 0;           // gaps the estimate rests on
};

// `onsets` in seconds, oldest first; `lead_s` how long before the earliest
// likely onset a raise should be in force (the sampling delay of the one
// who acts); `min_period_s` the shortest period worth acting on. nullopt
// with fewer than two gaps, a period below the minimum, or gaps so irregular
// that no phase can be told.
std::optional<BurstPhase> next_burst(std::span<const double> onsets, double lead_s,
                                     double min_period_s);

}  // namespace kpulse::tune
