// What the ground-truth tests share: a collector as they configure it, one
// interval of `kpulse verify`'s comparison, and the assertion on one check.
#pragma once

#include <chrono>
#include <string>

#include "engine/collector.h"
#include "verify/interval.h"

namespace kpulse::testing {

engine::Collector make_collector(bool bpf = true);

verify::IntervalResult measure(engine::Collector& c,
                               std::chrono::milliseconds d = std::chrono::milliseconds(2000));

std::string describe(const verify::CheckResult& r);

// The check passed, and the kernel's figure is at least `min_kernel` (the
// workload showed up: 0 against 0 proves nothing).
void expect_check(const verify::IntervalResult& r, const std::string& family,
                  const std::string& component, double min_kernel);

}  // namespace kpulse::testing
