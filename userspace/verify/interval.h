// One verification interval: kpulse collects it while the kernel's counters
// are read at both ends, then each family is compared (verify/checks.h).
// `kpulse verify` and the ground-truth integration tests both run this.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "engine/collector.h"
#include "verify/checks.h"

namespace kpulse::verify {

struct IntervalResult {
  model::Snapshot snapshot;
  Readings kernel;
  std::vector<CheckResult> results;
  [[nodiscard]] bool passed() const;  // no Fail
};

// Takes a baseline snapshot, waits `duration` (returning nullopt early when
// `stop` says so), then takes the snapshot; the kernel's counters are read
// just before and just after each of the two (Readings).
std::optional<IntervalResult> run_interval(engine::Collector& collector,
                                           std::chrono::milliseconds duration,
                                           const std::function<bool()>& stop = {});

// The same around `workload`, run to its end between the two snapshots. A
// counter only the workload moves then reads the same just before and just
// after each snapshot, so kpulse's figure is compared with the kernel's exact
// one, however loaded the host (a busy host spreads those readings a few
// hundred ms apart: a counter moving meanwhile leaves a range that hides an
// error of several percent).
IntervalResult run_interval_around(engine::Collector& collector,
                                   const std::function<void()>& workload);

}  // namespace kpulse::verify
