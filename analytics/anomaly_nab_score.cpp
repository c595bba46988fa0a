#include "analytics/anomaly_nab_score.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kpulse::analytics {
namespace {

// Each scorable row's contribution if it alarms: a candidate reward for its
// window (only the best one per window counts) or a false-positive cost.
struct RowCredit {
  double score;
  double credit;
  int window;  // index into the corpus-wide window list, or -1 outside windows
};

// Appends the scorable rows of one series; window ids start at window_base.
void collect_credits(const NabSeries& s, const NabCostMatrix& cost, int window_base,
                     std::vector<RowCredit>& out) {
  const size_t probation = nab_probationary_rows(s.scores.size());
  const double max_tp = nab_scaled_sigmoid(-1.0);
  size_t w = 0;  // next window not yet passed
  const NabWindow* prev = nullptr;
  int scored_id = window_base;
  int current_id = -1;
  for (size_t i = 0; i < s.scores.size(); ++i) {
    while (w < s.windows.size() && s.windows[w].last < i) {
      prev = &s.windows[w];
      ++w;
      current_id = -1;
    }
    const bool inside = w < s.windows.size() && s.windows[w].first <= i;
    if (inside && current_id < 0 && i >= probation) current_id = scored_id++;
    if (i < probation) continue;
    if (inside) {
      const NabWindow& win = s.windows[w];
      const double width = double(win.last - win.first + 1);
      const double pos = -double(win.last - i + 1) / width;
      out.push_back({s.scores[i], cost.tp_weight * nab_scaled_sigmoid(pos) / max_tp, current_id});
    } else {
      double pos = 3.0;
      if (prev) {
        const double width = double(prev->last - prev->first + 1);
        // A one-row window would divide by zero; NAB never has one, treat it as far.
        pos = width > 1 ? double(i - prev->last) / (width - 1) : 3.0;
      }
      out.push_back({s.scores[i], cost.fp_weight * nab_scaled_sigmoid(pos), -1});
    }
  }
}

// Walks rows from the highest score down, evaluating the total at each
// distinct score; returns the best threshold over those rows.
NabResult sweep(std::vector<RowCredit> rows, int windows, const NabCostMatrix& cost) {
  std::sort(rows.begin(), rows.end(),
            [](const RowCredit& a, const RowCredit& b) { return a.score > b.score; });
  std::vector<double> best_credit(windows, -std::numeric_limits<double>::infinity());
  double fp_total = 0, tp_total = 0;
  int tp = 0, fp = 0;
  NabResult best;
  best.threshold = std::numeric_limits<double>::infinity();
  best.raw = -cost.fn_weight * windows;
  best.fn = windows;
  for (size_t i = 0; i < rows.size();) {
    const double threshold = rows[i].score;
    for (; i < rows.size() && rows[i].score == threshold; ++i) {
      const RowCredit& r = rows[i];
      if (r.window < 0) {
        fp_total += r.credit;
        ++fp;
      } else if (best_credit[r.window] == -std::numeric_limits<double>::infinity()) {
        best_credit[r.window] = r.credit;
        tp_total += r.credit;
        ++tp;
      } else if (r.credit > best_credit[r.window]) {
        tp_total += r.credit - best_credit[r.window];
        best_credit[r.window] = r.credit;
      }
    }
    const double raw = fp_total + tp_total - cost.fn_weight * (windows - tp);
    if (raw > best.raw) best = {threshold, raw, tp, windows - tp, fp};
  }
  return best;
}

}  // namespace

size_t nab_probationary_rows(size_t rows) {
  return std::min<size_t>(size_t(std::floor(0.15 * double(rows))), 750);
}

double nab_scaled_sigmoid(double x) {
  if (x >= 3.0) return -1.0;
  return 2.0 / (1.0 + std::exp(5.0 * x)) - 1.0;
}

int nab_scored_windows(const NabSeries& s) {
  const size_t probation = nab_probationary_rows(s.scores.size());
  int n = 0;
  for (const auto& w : s.windows)
    if (w.last >= probation && w.first < s.scores.size()) ++n;
  return n;
}

NabResult nab_score_series(const NabSeries& series, const NabCostMatrix& cost, double threshold) {
  std::vector<RowCredit> rows;
  collect_credits(series, cost, 0, rows);
  const int windows = nab_scored_windows(series);
  std::vector<double> best(windows, -std::numeric_limits<double>::infinity());
  NabResult r;
  r.threshold = threshold;
  for (const auto& row : rows) {
    if (row.score < threshold) continue;
    if (row.window < 0) {
      r.raw += row.credit;
      ++r.fp;
    } else {
      best[row.window] = std::max(best[row.window], row.credit);
    }
  }
  for (double b : best) {
    if (b == -std::numeric_limits<double>::infinity()) {
      r.raw -= cost.fn_weight;
      ++r.fn;
    } else {
      r.raw += b;
      ++r.tp;
    }
  }
  return r;
}

NabResult nab_best_threshold(const std::vector<NabSeries>& corpus, const NabCostMatrix& cost) {
  std::vector<RowCredit> rows;
  int windows = 0;
  for (const auto& s : corpus) {
    collect_credits(s, cost, windows, rows);
    windows += nab_scored_windows(s);
  }
  return sweep(std::move(rows), windows, cost);
}

double nab_normalised(double raw, int windows, const NabCostMatrix& cost) {
  const double null_score = -cost.fn_weight * windows;
  const double perfect = cost.tp_weight * windows;
  if (perfect == null_score) return 0;
  return 100.0 * (raw - null_score) / (perfect - null_score);
}

}  // namespace kpulse::analytics
