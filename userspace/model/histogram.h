// Log2 latency histograms shared by the BPF side (bpf/kpulse_common.h keeps
// the same slot rule) and every userspace consumer.
#pragma once

#include <array>
#include <cstdint>

namespace kpulse::model {

// Slot i counts values v (nanoseconds) with floor(log2(v)) == i; slot 0 also
// takes v == 0. The last slot takes everything above (2^35 ns is ~34 s).
inline constexpr int kHistogramSlots = 36;

// Upper bound (exclusive) of slot i in nanoseconds; the last slot is unbounded.
constexpr uint64_t slot_upper_bound_ns(int slot) {
  return uint64_t{1} << (slot + 1);
}

constexpr int slot_for_ns(uint64_t v) {
  int slot = 0;
  while (v > 1 && slot < kHistogramSlots - 1) {
    v >>= 1;
    ++slot;
  }
  return slot;
}

struct Log2Histogram {
  std::array<uint64_t, kHistogramSlots> slots{};
  uint64_t count = 0;
  // The sum as counted: of the recorded values, except run-queue waits from
  // the kernel's stamps, where it is the kernel's run_delay (which reads a
  // wait its clock skipped as 0; the slots hold the wait's real length).
  uint64_t sum_ns = 0;

  void record(uint64_t ns) {
    ++slots[slot_for_ns(ns)];
    ++count;
    sum_ns += ns;
  }
  Log2Histogram& operator+=(const Log2Histogram& o) {
    for (int i = 0; i < kHistogramSlots; ++i) slots[i] += o.slots[i];
    count += o.count;
    sum_ns += o.sum_ns;
    return *this;
  }
  // Saturating difference (a counter reset yields the newer value).
  [[nodiscard]] Log2Histogram minus(const Log2Histogram& older) const;
  // Quantile in nanoseconds, interpolated linearly inside the slot; 0 when empty.
  [[nodiscard]] double quantile_ns(double q) const;
  // The same in seconds, the unit the catalog gives latencies.
  [[nodiscard]] double quantile_s(double q) const { return quantile_ns(q) * 1e-9; }
  [[nodiscard]] double mean_ns() const { return count ? double(sum_ns) / double(count) : 0.0; }
  bool operator==(const Log2Histogram&) const = default;
};

}  // namespace kpulse::model
