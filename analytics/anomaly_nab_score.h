// NAB (Numenta Anomaly Benchmark) scoring of anomaly-score streams, so the
// detector can be evaluated the way published NAB results are:
//   - the first 15% of each file (at most 750 rows) is probationary: unscored;
//   - the earliest alarm inside a label window earns
//     tpWeight * scaledSigmoid(relative position) / scaledSigmoid(-1), i.e. full
//     credit at the window's first row and about 0 at its last; later alarms in
//     the same window earn nothing more;
//   - a window with no alarm costs fnWeight;
//   - every alarm outside a window costs fpWeight * scaledSigmoid(distance after
//     the preceding window / (its width - 1)) (nearly free just after a window,
//     the full fpWeight from 3 widths on, or if no window precedes it);
//   - one alarm threshold per profile is chosen for the whole corpus, the one
//     with the best total;
//   - normalised score = 100 * (raw - null) / (perfect - null), where null (never
//     alarm) = -fnWeight * windows and perfect = tpWeight * windows.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace kpulse::analytics {

struct NabCostMatrix {
  double tp_weight = 1.0;
  double fp_weight = 0.11;
  double fn_weight = 1.0;
};

// Inclusive row range of one label window.
struct NabWindow {
  size_t first = 0;
  size_t last = 0;
};

// One scored series: the detector's score for every row, and the label windows
// (sorted, disjoint).
struct NabSeries {
  std::string name;
  std::vector<double> scores;
  std::vector<NabWindow> windows;
};

struct NabResult {
  double threshold = 0;  // alarm when score >= threshold
  double raw = 0;        // sum of rewards and costs
  int tp = 0;            // windows detected
  int fn = 0;            // windows missed
  int fp = 0;            // alarmed rows outside windows (after probation)
};

// Rows at the start of a series whose alarms are not scored.
size_t nab_probationary_rows(size_t rows);

// NAB's reward curve: 2*sigmoid(-5x) - 1, and -1 from x >= 3.
double nab_scaled_sigmoid(double relative_position);

// Scores one series at a fixed threshold.
NabResult nab_score_series(const NabSeries& series, const NabCostMatrix& cost, double threshold);

// Sweeps every distinct score value as threshold over the whole corpus and
// returns the best (ties: the higher threshold). An empty-alarm threshold
// above every score is a candidate too, so the result is never below null.
NabResult nab_best_threshold(const std::vector<NabSeries>& corpus, const NabCostMatrix& cost);

// Windows that count: those with at least one row past the probationary period.
int nab_scored_windows(const NabSeries& series);

double nab_normalised(double raw, int windows, const NabCostMatrix& cost);

}  // namespace kpulse::analytics
