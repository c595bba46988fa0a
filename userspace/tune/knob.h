// The allowlist: every knob kpulse may write, where it lives and its hard
// bounds. Nothing outside this table is ever written: paths are built here
// from a kind and a validated target, never taken from input.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kpulse::tune {

enum class KnobKind {
  Somaxconn,             // net.core.somaxconn (per netns)
  TcpMaxSynBacklog,      // net.ipv4.tcp_max_syn_backlog (per netns)
  TcpRmemMax,            // net.ipv4.tcp_rmem, third field (per netns)
  TcpWmemMax,            // net.ipv4.tcp_wmem, third field (per netns)
  RmemMax,               // net.core.rmem_max
  WmemMax,               // net.core.wmem_max
  CpuMax,                // cgroup v2 cpu.max quota (µs per period)
  CfsQuota,              // cgroup v1 cpu.cfs_quota_us
  CpuWeight,             // cgroup v2 cpu.weight
  CpuShares,             // cgroup v1 cpu.shares
  MemoryHigh,            // cgroup v2 memory.high (bytes)
  MemoryLimit,           // cgroup v1 memory.limit_in_bytes
  ReadAheadKb,           // /sys/block/D/queue/read_ahead_kb
  NrRequests,            // /sys/block/D/queue/nr_requests
  Scheduler,             // /sys/block/D/queue/scheduler (a name, not a number)
  DirtyBackgroundRatio,  // vm.dirty_background_ratio (host-wide, opt-in)
  DirtyRatio,            // vm.dirty_ratio (host-wide, opt-in)
};

enum class TargetKind { Netns, Host, Cgroup, Disk };

struct KnobSpec {
  KnobKind kind;
  const char* id;  // "net.core.somaxconn", "cgroup.cpu.max", "block.read_ahead_kb"
  TargetKind target;
  double lo, hi;   // hard bounds of the numeric value
  bool host_wide;  // needs explicit opt-in (--allow-host-wide)
  // Its gain can come all at once at a threshold: a memory limit below the
  // working set thrashes about as much at half of it as at a third
  // (measured: a 192 MiB random reader refaulted ~10k pages/s under 64 and
  // 128 MiB limits, none under 256 MiB). A step neither better nor worse
  // does not end the walk toward the ceiling (controller.h).
  bool walks_to_ceiling = false;
};

const std::vector<KnobSpec>& allowlist();
const KnobSpec& spec(KnobKind k);
std::optional<KnobKind> knob_from_id(const std::string& id);

// One concrete knob: a kind plus what it applies to.
struct Knob {
  KnobKind kind;
  // Netns knobs: the namespace path ("" = kpulse's own); cgroup knobs: the
  // cgroup path as kpulse names it ("/kp/app"); disk knobs: "loop3".
  std::string target;
  uint64_t netns_inode = 0;  // netns knobs: identity that survives path changes

  [[nodiscard]] std::string id() const { return spec(kind).id; }
  // "cgroup.cpu.max@/kp/app", "net.core.somaxconn@netns:kp1" — unique per knob.
  [[nodiscard]] std::string key() const;
  // The resource experiments are serialised on (a cgroup, a disk, a netns, the host).
  [[nodiscard]] std::string resource() const;
};

// Where the knob lives on this host. Throws std::invalid_argument for a
// target that could escape the allowlist ("..", "/" in a disk name, ...).
std::string knob_path(const Knob& k, const std::string& cgroup_root = "/sys/fs/cgroup");

// Reading and writing (knob_io.cpp).
// Reads the raw file contents (trimmed). Returns false with `error` set.
bool read_knob(const Knob& k, std::string& raw, std::string& error,
               const std::string& cgroup_root = "/sys/fs/cgroup");
// Writes raw contents. Refuses kinds that need opt-in unless `allow_host_wide`.
bool write_knob(const Knob& k, const std::string& raw, std::string& error, bool allow_host_wide,
                const std::string& cgroup_root = "/sys/fs/cgroup");

// block/queue/scheduler reads "none [mq-deadline] kyber": the active name
// ("mq-deadline"), and every name the device offers. A raw value without
// brackets is returned as is.
std::string active_scheduler(const std::string& raw);
std::vector<std::string> available_schedulers(const std::string& raw);

// Values and steps (knob_value.cpp).
// The whitespace-separated fields of a raw value ("4096 131072 6291456").
std::vector<std::string> value_fields(const std::string& raw);
// The tuned number inside a raw value: the max field of tcp_rmem, the quota of
// cpu.max ("max" → +inf), the bytes of memory.high. NaN for Scheduler.
double numeric_value(KnobKind k, const std::string& raw);
// The raw value to write for `value`, keeping the other fields of `current`
// (tcp_rmem min/default, cpu.max period). `value` is clamped to the bounds.
std::string compose_value(KnobKind k, const std::string& current, double value, double lo,
                          double hi);

// The largest single step a knob may take from `current` (docs/tuning.md,
// "Bounds"): memory limits at most double and at most +1 GiB, CPU quotas at
// most double (or +0.5 CPU), CPU weights/shares at most double; infinity for
// knobs bounded by their ceiling alone.
double max_step(KnobKind kind, double current);

// A bounded step from `current` toward `bound`: `fraction` of the distance,
// at least `min_step`, at most max_step(), never past `bound` or the spec's
// hard limits.
double step_toward(double current, double bound, double fraction, double min_step,
                   const KnobSpec& s);

}  // namespace kpulse::tune
