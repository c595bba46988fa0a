#include "analytics/forecast_drift.h"

#include <algorithm>
#include <cmath>

namespace kpulse::analytics {

DriftModel fit_drift(std::span<const double> y) {
  DriftModel m;
  int first = -1, count = 0;
  for (int i = 0; i < static_cast<int>(y.size()); ++i) {
    if (!std::isfinite(y[i])) continue;
    if (first < 0) first = i;
    m.last_index = i;
    m.last = y[i];
    ++count;
  }
  if (count < kMinForecastValues) return m;
  m.ok = true;
  m.span_steps = m.last_index - first;
  m.slope = (m.last - y[first]) / m.span_steps;
  // Changes between successive values, per step of gap: (d - slope g) / sqrt(g)
  // has the spread of one step's noise whatever the gap.
  double resid_sq = 0, change_sq = 0, level = 0;
  int changes = 0, prev = first;
  for (int i = first + 1; i <= m.last_index; ++i) {
    if (!std::isfinite(y[i])) continue;
    const double g = i - prev, d = y[i] - y[prev];
    resid_sq += (d - m.slope * g) * (d - m.slope * g) / g;
    change_sq += d * d / g;
    level += std::fabs(y[i]);
    ++changes;
    prev = i;
  }
  // One degree of freedom went into the slope.
  m.dof = changes - 1;
  m.sigma = std::sqrt(resid_sq / m.dof);
  // A few changes that happen to agree (three points on a line, five equal
  // values) show no spread, but cannot rule out one of about the size of a
  // change divided by sqrt(changes) (the standard error of their mean, were
  // they to scatter as much as they are large). A series that never changed
  // has no change to measure by, so its level stands in, until it has been
  // constant for kConfidentValues values: then it is believed constant.
  // Zero-width intervals would claim a certainty a short series never showed.
  double scale = std::sqrt(change_sq / changes);
  if (scale == 0 && count < kConfidentValues) scale = level / changes;
  const double floor = scale / std::sqrt(double(changes));
  m.sigma = std::max(m.sigma, floor);
  m.naive_sigma = std::max(std::sqrt(change_sq / changes), floor);
  m.naive_dof = changes;  // naive fits nothing
  return m;
}

TQuantiles student_t_quantiles(int dof) {
  // Tables of the 0.90 and 0.975 quantiles for 1..30 degrees of freedom.
  static constexpr double k90[] = {3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397,
                                   1.383, 1.372, 1.363, 1.356, 1.350, 1.345, 1.341, 1.337,
                                   1.333, 1.330, 1.328, 1.325, 1.323, 1.321, 1.319, 1.318,
                                   1.316, 1.315, 1.314, 1.313, 1.311, 1.310};
  static constexpr double k975[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                    2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                    2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                    2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  dof = std::max(1, dof);
  if (dof <= 30) return {k90[dof - 1], k975[dof - 1]};
  // Beyond the table: the normal quantile with the first two Cornish-Fisher
  // terms (accurate to 1e-3 from 30 degrees of freedom on).
  auto t = [&](double z) {
    const double v = dof, z3 = z * z * z, z5 = z3 * z * z;
    return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v);
  };
  return {t(1.2815516), t(1.9599640)};
}

HalfWidths drift_half_widths(const DriftModel& m, int n, int h) {
  // Steps ahead of the newest value (trailing missing steps count).
  const double ahead = (n - 1 - m.last_index) + h + 1.0;
  const double sd = m.sigma * std::sqrt(ahead * (1 + ahead / m.span_steps));
  const TQuantiles q = student_t_quantiles(m.dof);
  return {q.q80 * sd, q.q95 * sd};
}

HalfWidths naive_half_widths(const DriftModel& m, int n, int h) {
  const double ahead = (n - 1 - m.last_index) + h + 1.0;
  const double sd = m.naive_sigma * std::sqrt(ahead);
  const TQuantiles q = student_t_quantiles(m.naive_dof);
  return {q.q80 * sd, q.q95 * sd};
}

Forecast benchmark_forecast(const DriftModel& m, int n, int horizon) {
  Forecast f;
  f.method = "naive+drift";
  f.point.assign(horizon, m.last);
  f.lo80 = f.hi80 = f.lo95 = f.hi95 = f.point;
  for (int h = 0; h < horizon; ++h) {
    const HalfWidths nw = naive_half_widths(m, n, h), dw = drift_half_widths(m, n, h);
    const double drift = m.last + m.slope * ((n - 1 - m.last_index) + h + 1.0);
    f.lo80[h] = std::min(m.last - nw.w80, drift - dw.w80);
    f.hi80[h] = std::max(m.last + nw.w80, drift + dw.w80);
    f.lo95[h] = std::min(m.last - nw.w95, drift - dw.w95);
    f.hi95[h] = std::max(m.last + nw.w95, drift + dw.w95);
  }
  return f;
}

void widen_to_drift(const DriftModel& m, int n, Forecast& f) {
  for (size_t h = 0; h < f.point.size(); ++h) {
    const HalfWidths w = drift_half_widths(m, n, static_cast<int>(h));
    f.lo80[h] = std::min(f.lo80[h], f.point[h] - w.w80);
    f.hi80[h] = std::max(f.hi80[h], f.point[h] + w.w80);
    f.lo95[h] = std::min(f.lo95[h], f.point[h] - w.w95);
    f.hi95[h] = std::max(f.hi95[h], f.point[h] + w.w95);
  }
}

}  // namespace kpulse::analytics
