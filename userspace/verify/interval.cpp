#include "verify/interval.h"

#include <algorithm>
#include <thread>

namespace kpulse::verify {

bool IntervalResult::passed() const {
  return std::none_of(results.begin(), results.end(),
                      [](const CheckResult& r) { return r.status == Status::Fail; });
}

std::optional<IntervalResult> run_interval(engine::Collector& collector,
                                           std::chrono::milliseconds duration,
                                           const std::function<bool()>& stop) {
  using Clock = std::chrono::steady_clock;
  IntervalResult r;
  r.kernel.before_start = read_kernel_counters();
  collector.collect_now();  // the baseline kpulse's deltas start from
  r.kernel.after_start = read_kernel_counters();
  const auto end = Clock::now() + duration;
  while (Clock::now() < end) {
    if (stop && stop()) return std::nullopt;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(50), end - Clock::now()));
  }
  r.kernel.before_end = read_kernel_counters();
  r.snapshot = collector.collect_now();
  r.kernel.after_end = read_kernel_counters();
  r.results = compare(r.kernel, r.snapshot);
  return r;
}

}  // namespace kpulse::verify
