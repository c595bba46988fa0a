// Reference forecasters the evaluation compares kpulse against: seasonal
// naive and additive damped Holt-Winters (ETS(A,Ad,A)) fitted by grid
// search on the in-sample one-step squared error.
#pragma once

#include <span>
#include <vector>

namespace kpulse::bench {

struct IntervalForecast {
  std::vector<double> point, lo80, hi80, lo95, hi95;
};

// Value one season earlier (or k seasons, over missing hours); normal
// intervals from the in-sample seasonal differences, widening with the
// number of seasons ahead.
IntervalForecast seasonal_naive(std::span<const double> y, int season, int horizon);

// Additive Holt-Winters with damped trend; intervals from the one-step
// residual variance with the ETS(A,Ad,A) horizon formula.
IntervalForecast holt_winters(std::span<const double> y, int season, int horizon);

// Clip every value at 0 (for non-negative series, as the reference harness does).
void clip_at_zero(IntervalForecast& f);

}  // namespace kpulse::bench
