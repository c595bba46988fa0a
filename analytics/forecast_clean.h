// Removing isolated spikes before a series is modelled.
#pragma once

#include <span>
#include <vector>

namespace kpulse::analytics {

// Hampel filter: a value farther than `k` robust sigmas from the median of
// its 2 * half_window + 1 neighbours is replaced by that median. The robust
// sigma comes from the step-to-step changes of the whole series, so a
// series' ordinary swings are never touched; only gross outliers (a counter
// glitch, a one-off burst) are. Level shifts survive: a median keeps edges.
// A spike that recurs one `period` earlier or later (a nightly job, an
// hourly cron) is part of the pattern and is kept. NaN stays NaN.
void despike(std::span<const double> y, std::vector<double>& out, std::span<const int> periods = {},
             int half_window = 3, double k = 8.0);

}  // namespace kpulse::analytics
