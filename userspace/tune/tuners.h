// The tuners: each looks at the latest snapshots (and the knobs' current
// values) and proposes at most one bounded step per knob. Detection lives
// here so the tuner works without the analytics recommendations.
#pragma once

#include <deque>
#include <memory>
#include <optional>
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
  double syn_backlog_max = 4096;  // ceiling for net.ipv4.tcp_max_syn_backlog
  // Ceiling for a contended cgroup's cpu.weight (v2 units, default 100);
  // cpu.shares on v1 gets the same ratio (weight 1000 = shares 10240).
  double cpu_weight_max = 1000;
  // Run-queue latency p99 (seconds) that makes a cgroup a contention victim.
  double cpu_contention_latency_s = 0.005;
  double nr_requests_max = 1024;  // ceiling for block/queue/nr_requests
  // Writeback (vm.dirty_*) tuning is host-wide: off unless the config enables
  // it (tuning.writeback = true). Floor for dirty_background_ratio and
  // ceiling for dirty_ratio, in percent.
  bool writeback = false;
  // Host-global knobs (net.core.rmem_max / wmem_max) may be proposed for
  // application (--allow-host-wide); otherwise they are advice only.
  bool host_wide = false;
  double dirty_background_min = 5;
  double dirty_ratio_max = 40;
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
std::unique_ptr<Tuner> make_syn_backlog_tuner();
std::unique_ptr<Tuner> make_cpu_weight_tuner();
std::unique_ptr<Tuner> make_block_queue_tuner();
std::unique_ptr<Tuner> make_writeback_tuner();

std::vector<std::unique_ptr<Tuner>> default_tuners();

// The highest memory.high (or v1 memory.limit_in_bytes, `kind`) the
// memory_high tuner may set for cgroup `c`: --memory-high-max, else
// memory.max (v2), else half the host's RAM; `fallback` when none is known.
// Predictive scaling raises within the same bound.
double memory_high_ceiling(const model::Component& c, const model::Component* host, KnobKind kind,
                           const TunerOptions& options, double fallback);

// A cgroup's CPU quota as kpulse tunes it: cpu.max on cgroup2, else v1's
// cpu.cfs_quota_us, with the period next to it (cpu.max's second field or
// cpu.cfs_period_us; 100000 us when unreadable). nullopt when the quota can't
// be read or is not a number. The quota tuner and predictive scaling share it.
struct CpuQuota {
  Knob knob;
  std::string raw;                    // as read, for the journal
  double quota = 0, period = 100000;  // us
};
std::optional<CpuQuota> read_cpu_quota(const std::string& cgroup, const std::string& cgroup_root);

// The workload's own CPU latency: seconds per second its tasks wanted a CPU
// and had none, quota throttling plus run-queue delay (BPF; the cgroup's
// cpu PSI without it). Lower is better. The quota and weight tuners are judged
// by it, not by the CPU the knob hands the cgroup: more quota always "uses
// more CPU", while on a saturated host it only moves the wait to the run queue.
double cpu_wait(const model::Snapshot& s, const std::string& cgroup);
Objective cpu_wait_objective(const std::string& cgroup);

// Rate of a counter over one snapshot (delta / interval), NaN when absent.
double rate(const model::Snapshot& s, model::ComponentKind kind, const std::string& id,
            model::MetricId m);

}  // namespace kpulse::tune
