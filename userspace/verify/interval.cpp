#include "verify/interval.h"

#include <algorithm>
#include <thread>

namespace kpulse::verify {

bool IntervalResult::passed() const {
  return std::none_of(results.begin(), results.end(),
                      [](const CheckResult& r) { return r.status == Status::Fail; });
}

namespace {

void begin(engine::Collector& collector, IntervalResult& r) {
  r.kernel.before_start = read_kernel_counters();
  collector.collect_now();  // the baseline kpulse's deltas start from
  r.kernel.after_start = read_kernel_counters();
}

void finish(engine::Collector& collector, IntervalResult& r) {
  r.kernel.before_end = read_kernel_counters();
  r.snapshot = collector.collect_now();
  r.kernel.after_end = read_kernel_counters();
  r.results = compare(r.kernel, r.snapshot);
}

}  // namespace

std::optional<IntervalResult> run_interval(engine::Collector& collector,
                                           std::chrono::milliseconds duration,
                                           const std::function<bool()>& stop) {
  using Clock = std::chrono::steady_clock;
  IntervalResult r;
  begin(collector, r);
  const auto end = Clock::now() + duration;
  while (Clock::now() < end) {
    if (stop && stop()) return std::nullopt;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(50), end - Clock::now()));
  }
  finish(collector, r);
  return r;
}

IntervalResult run_interval_around(engine::Collector& collector,
                                   const std::function<void()>& workload) {
  IntervalResult r;
  begin(collector, r);
  workload();
  finish(collector, r);
  return r;
}

}  // namespace kpulse::verify
