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

}  // namespace kpulse::verify
