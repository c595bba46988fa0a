// The tuners: each looks at the latest snapshots (and the knobs' current
// values) and proposes at most one bounded step per knob. Detection lives
// here so the tuner works without the analytics recommendations.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "tune/proposal.h"

namespace kpulse::tune {

struct TunerOptions {
  double step_fraction = 0.5;     // of the distance to the bound, per step
  double cpu_quota_max_cpus = 0;  // ceiling for cpu.max; 0 = host CPUs
  // Idle host CPU required before raising a quota: more quota on a saturated
  // host takes CPU from someone else.
  double min_idle_cpus = 0.25;
  double memory_high_max = 0;  // ceiling for memory.high; 0 = memory.max or host RAM / 2
  double read_ahead_max_kb = 4096;
  double tcp_buffer_max = 16.0 * 1024 * 1024;
  double somaxconn_max = 4096;
  std::string cgroup_root = "/sys/fs/cgroup";
  // Only knobs whose key contains this ("/myapp", "loop3", "netns:"); empty = all.
  std::string scope;
};

struct TuneContext {
  const std::deque<model::Snapshot>& history;  // oldest first; back() is the latest
  const TunerOptions& options;
};

class Tuner {
 public:
  virtual ~Tuner() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  virtual std::vector<Proposal> propose(const TuneContext& ctx) = 0;
};

std::unique_ptr<Tuner> make_cpu_quota_tuner();
std::unique_ptr<Tuner> make_read_ahead_tuner();
std::unique_ptr<Tuner> make_tcp_buffer_tuner();
std::unique_ptr<Tuner> make_somaxconn_tuner();
std::unique_ptr<Tuner> make_memory_high_tuner();

std::vector<std::unique_ptr<Tuner>> default_tuners();

// Rate of a counter over one snapshot (delta / interval), NaN when absent.
double rate(const model::Snapshot& s, model::ComponentKind kind, const std::string& id,
            model::MetricId m);

}  // namespace kpulse::tune
