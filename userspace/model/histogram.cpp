#include "model/histogram.h"

namespace kpulse::model {

Log2Histogram Log2Histogram::minus(const Log2Histogram& older) const {
  if (older.count > count || older.sum_ns > sum_ns) return *this;  // reset
  Log2Histogram d;
  for (int i = 0; i < kHistogramSlots; ++i)
    d.slots[i] = slots[i] >= older.slots[i] ? slots[i] - older.slots[i] : 0;
  d.count = count - older.count;
  d.sum_ns = sum_ns - older.sum_ns;
  return d;
}

double Log2Histogram::quantile_ns(double q) const {
  if (count == 0) return 0.0;
  if (q < 0) q = 0;
  if (q > 1) q = 1;
  const double rank = q * double(count);
  double seen = 0;
  for (int i = 0; i < kHistogramSlots; ++i) {
    if (slots[i] == 0) continue;
    const double next = seen + double(slots[i]);
    if (next >= rank) {
      const double lo = i == 0 ? 0.0 : double(uint64_t{1} << i);
      const double hi = double(slot_upper_bound_ns(i));
      const double within = (rank - seen) / double(slots[i]);
      return lo + (hi - lo) * within;
    }
    seen = next;
  }
  return double(uint64_t{1} << (kHistogramSlots - 1));
}

}  // namespace kpulse::model
