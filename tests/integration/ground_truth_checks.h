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

// The interface at the namespace's end of a veth pair, as kpulse names it from
// its own namespace ("NAME@NETNS", not the namespace's loopback); "" if none.
std::string interface_inside(const verify::IntervalResult& r, const std::string& netns);

}  // namespace kpulse::testing
