#include "ground_truth_checks.h"

#include <iostream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace kpulse::testing {

engine::Collector make_collector(bool bpf) {
  engine::CollectorOptions o;
  o.enable_bpf = bpf;
  o.max_processes = 2000;
  return engine::Collector(o);
}

verify::IntervalResult measure(engine::Collector& c, std::chrono::milliseconds d) {
  auto r = verify::run_interval(c, d);
  if (!r) throw std::runtime_error("interval interrupted");
  return std::move(*r);
}

std::string describe(const verify::CheckResult& r) {
  return r.family + " " + r.component + ": kpulse " + std::to_string(r.kpulse) + " kernel " +
         std::to_string(r.kernel) + " allowed ±" + std::to_string(r.allowed) + " (readings ±" +
         std::to_string(r.uncertainty) + ") " + r.note;
}

void expect_check(const verify::IntervalResult& r, const std::string& family,
                  const std::string& component, double min_kernel) {
  const verify::CheckResult* c = verify::find(r.results, family, component);
  ASSERT_NE(c, nullptr) << family << " " << component << " was not compared";
  std::cout << describe(*c) << '\n';  // the figures, also when they agree
  EXPECT_EQ(c->status, verify::Status::Pass) << describe(*c);
  EXPECT_GE(c->kernel, min_kernel) << describe(*c);
}

std::string interface_inside(const verify::IntervalResult& r, const std::string& netns) {
  for (const auto& c : r.results)
    if (c.family == "interface.bytes" && c.component.ends_with("@" + netns) &&
        !c.component.starts_with("lo@"))
      return c.component;
  return "";
}

}  // namespace kpulse::testing
