// Recommendations: rules that turn detected bottlenecks into concrete tuning
// actions (a sysctl, a cgroup file, a block-queue attribute) with the reason,
// the expected gain and a confidence. The auto-tuner (`kpulse tune`) applies
// them; `kpulse analyze` prints them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/bottleneck.h"

namespace kpulse::analytics {

enum class KnobKind { Sysctl, Cgroup, Block };
std::string_view to_string(KnobKind k);

// Where a setting lives. Exactly one of the target fields applies per kind.
struct Knob {
  KnobKind kind = KnobKind::Sysctl;
  // Sysctl: dotted name ("net.core.somaxconn"); Cgroup: interface file
  // ("cpu.weight", "memory.high"); Block: attribute under /sys/block/<dev>/
  // ("queue/nr_requests", "queue/scheduler").
  std::string name;
  std::string cgroup;  // Cgroup: path relative to the cgroup2 root ("/app.slice/db.service")
  std::string netns;   // Sysctl under net.*: network namespace name ("" = the host's)
  std::string device;  // Block: kernel device name ("sda", "loop3")

  // Filesystem path of the knob on this host ("/proc/sys/net/core/somaxconn",
  // "/sys/fs/cgroup/app.slice/db.service/cpu.weight", "/sys/block/sda/queue/nr_requests").
  // A netns sysctl must be read/written from inside that namespace.
  [[nodiscard]] std::string path(std::string_view cgroup_root = "/sys/fs/cgroup") const;
  bool operator==(const Knob&) const = default;
};

// The expected gain in numbers, where the measurement gives them: the signal
// the gain is stated on, its value when the recommendation was made and the
// value expected once the change takes effect (`at_most`: no more than that).
// bench/analytics/recommend_outcome.sh applies recommendations and compares.
struct PredictedGain {
  std::string signal;
  std::string component;
  double now = 0;
  double expected = 0;
  bool at_most = false;
};

struct Recommendation {
  // Stable across intervals and runs for the same scenario on the same target:
  // "<scenario>:<knob target>", e.g. "cpu-contention:/app.slice/db.service:cpu.weight".
  std::string id;
  std::string scenario;  // the rule: "cpu-contention", "disk-queue-saturated", ...
  Knob knob;
  std::string current_value;   // as read from the knob ("" when unreadable)
  std::string proposed_value;  // what to write
  std::string evidence;        // the detection that triggered it, with values vs baseline
  // Derived from the measurement, with numbers: "run-queue p99 of host 30 ms
  // -> about 8 ms (cgroup:/batch's share of the contended CPU 60% -> 27%)".
  std::string expected_gain;
  std::optional<PredictedGain> predicted;  // the same in numbers, when it has them
  double confidence = 0;                   // 0..1: how likely the change helps
  // The knob could not be read here (the cgroup has no such file in this
  // layout, the cause sits in the root cgroup...): the value is proposed from
  // the knob's default, and `advice` says what must be done first.
  bool advice_only = false;
  std::string advice;
  std::string rationale;      // why this knob addresses this bottleneck
  std::string bottleneck_id;  // Bottleneck::id that triggered it
};

// Reads a knob's current value (trimmed); nullopt when absent or unreadable.
// Production code uses read_knob_from_host(); tests pass a fake.
using KnobReader = std::function<std::optional<std::string>(const Knob&)>;
std::optional<std::string> read_knob_from_host(const Knob& knob);

// Applies the rule set to this interval's bottlenecks. Deterministic: the same
// bottlenecks and knob values give the same recommendations in the same order.
// A rule whose knob already has the proposed value (or better) yields nothing.
// Cgroup rules try the cgroup v2 file, then the v1 one (cpu.weight, then
// cpu.shares; io.weight, then blkio.weight; memory.high/max, then
// memory.limit_in_bytes), so v1, v2 and hybrid hosts all get one; when none
// can be read the rule yields an advice-only recommendation.
std::vector<Recommendation> recommend(const std::vector<Bottleneck>& bottlenecks,
                                      const KnobReader& read);

}  // namespace kpulse::analytics
