// One definition of each comparison between a kpulse figure and the kernel's
// own counter over the same interval, with its tolerance: `kpulse verify`
// prints them and the ground-truth integration tests assert them.
#pragma once

#include <string>
#include <vector>

#include "model/snapshot.h"
#include "verify/kernel_counters.h"

namespace kpulse::verify {

// A difference passes when |kpulse - kernel| <= absolute + relative * |kernel|.
struct Tolerance {
  double relative = 0;
  double absolute = 0;
  [[nodiscard]] double allowed(double kernel) const;
};

enum class Status { Pass, Fail, Skip };
std::string_view to_string(Status s);

struct CheckResult {
  std::string family;     // "cpu", "disk.ops", ... (kFamilies)
  std::string component;  // "host", "cpu1", "vda", "/a/b", "eth0@ns"
  std::string unit;       // "s", "ops", "bytes", "requests", "packets", "segments"
  double kpulse = 0;
  // The kernel's figure over kpulse's interval: the middle of what the
  // readings around kpulse's own allow, and half the width of that range.
  double kernel = 0;
  double uncertainty = 0;
  Tolerance tolerance;
  double allowed = 0;  // tolerance.allowed(kernel) + uncertainty
  Status status = Status::Skip;
  std::string note;  // why skipped

  [[nodiscard]] double difference() const { return kpulse - kernel; }
};

// The kernel's counters read just before and just after each of kpulse's
// two reads (the baseline and the snapshot): the kernel's value at kpulse's
// instant lies between them, so timing on a busy host widens the allowed
// difference by exactly the uncertainty it causes, instead of failing.
struct Readings {
  KernelCounters before_start, after_start;  // around the baseline
  KernelCounters before_end, after_end;      // around the snapshot
};

// Every family with a kernel counterpart, in the order they are printed.
inline const std::vector<std::string> kFamilies = {"cpu",
                                                   "cpu.per_cpu",
                                                   "cgroup.cpu",
                                                   "cgroup.runq_delay",
                                                   "cgroup.runq_waits",
                                                   "disk.ops",
                                                   "disk.bytes",
                                                   "disk.busy",
                                                   "disk.inflight",
                                                   "block.ops",
                                                   "block.bytes",
                                                   "interface.bytes",
                                                   "interface.packets",
                                                   "tcp.retransmits",
                                                   "cgroup.memory",
                                                   "memory.major_faults",
                                                   "psi"};

// Compares `snap` (the interval from the baseline to the snapshot) with the
// kernel's counters. One result per compared component; a family with
// nothing to compare gets one Skip result saying why.
std::vector<CheckResult> compare(const Readings& kernel, const model::Snapshot& snap);

// The results of one family.
std::vector<CheckResult> family(const std::vector<CheckResult>& all, const std::string& name);
// The results of one family for one component, or nullptr.
const CheckResult* find(const std::vector<CheckResult>& all, const std::string& family,
                        const std::string& component);

}  // namespace kpulse::verify
