// The userspace side of one probe group, behind one interface: its hook
// ladder (spec), the drain of its maps, and the conversion of what they hold
// into model samples. The engine and the probe set know only this interface
// and the registry; each group's code sits in its own folder (probes/sched,
// probes/block, probes/net, probes/mem), its BPF programs in bpf/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/listeners_exits.h"
#include "model/snapshot.h"
#include "probes/bpf_totals.h"
#include "probes/hook_ladder.h"
#include "probes/kernel_features.h"

namespace kpulse::collect {
class CgroupResolver;
class DiskNames;
}  // namespace kpulse::collect

namespace kpulse::probes {

struct MapLimits {
  uint32_t cgroups = 4096;     // per-cgroup stats entries, each group
  uint32_t processes = 16384;  // per-process scheduler entries
  uint32_t requests = 16384;   // block requests in flight
  // Open TCP connections whose start kpulse keeps where the retransmit
  // tracepoint misses unsent ones (before 6.9): 64 B each.
  uint32_t connections = 65536;
};

// Where a group's samples of one interval go, besides the per-cgroup ones.
struct SampleContext {
  // Listeners (sock_diag's, the net group adds overflows) and exited tasks:
  // typed records, which become components once every group has run.
  std::vector<model::Listener>& listeners;
  std::vector<model::ExitedTask>& exited;
  // What the kernel keeps, read this interval (host, CPUs, disks,
  // interfaces): groups add their samples to these components.
  std::vector<model::Component>& components;
  // Components BPF sees that the kernel-kept files did not list; they join
  // `components` after every group has run, so pointers into it stay valid.
  std::vector<model::Component>& added;
  model::Component* host;  // null when /proc gave none
  collect::CgroupResolver& cgroups;
  collect::DiskNames& disk_names;
  // Host-wide sums of the per-cgroup maps: since attach, and this interval.
  const CgroupTotals& host_total;
  const CgroupTotals& host_delta;

  // The component of `kind` whose id (or, for disks, kernel id) matches.
  model::Component* find(model::ComponentKind kind, const std::string& id) const;
  model::Component* find(model::ComponentKind kind, uint64_t kernel_id) const;
};

class ProbeGroup {
 public:
  virtual ~ProbeGroup() = default;

  // "sched", "block", ...: the name `--groups` and `kpulse probes` use.
  [[nodiscard]] virtual const char* name() const = 0;
  // Its hooks with their ladders, map bounds and load-time knobs.
  [[nodiscard]] virtual GroupSpec spec(const MapLimits& limits, bool per_process) const = 0;
  // The per-cgroup map, whose entries of removed cgroups are deleted.
  [[nodiscard]] virtual const char* cgroup_map() const = 0;
  // Deletes what its maps keep of removed cgroups; by default the entries
  // of cgroup_map(), keyed by the cgroup id alone.
  virtual void forget_cgroups(const LoadedGroup& loaded, const std::vector<uint64_t>& ids);

  // Called once its programs are attached (active groups only).
  virtual void start(const LoadedGroup& /*loaded*/, const KernelFeatures& /*features*/) {}
  // Called before the programs are detached.
  virtual void stop() {}
  // Adds what its maps hold (cumulative since attach) to `totals`, and marks
  // the group active there.
  virtual void drain(const LoadedGroup& loaded, BpfTotals& totals) = 0;

  // Its samples of one cgroup, from the cgroup's total and interval delta
  // (rolled up the tree); nothing when the group saw nothing of it.
  virtual void add_cgroup_samples(model::Component& c, const CgroupTotals& total,
                                  const CgroupTotals& delta) const = 0;
  // Its host-wide counters (from the per-cgroup sums).
  virtual void add_host_samples(model::Component& host, const CgroupTotals& total,
                                const CgroupTotals& delta) const = 0;
  // Everything else of one drain: per-CPU, per-disk, per-listener samples,
  // exited tasks... It keeps the previous drain's totals for the deltas.
  virtual void add_samples(const BpfTotals& totals, SampleContext& out) = 0;
};

// Every group kpulse ships, in load order (the one place a group is added).
std::vector<std::unique_ptr<ProbeGroup>> registered_groups();
// Their names, in the same order.
std::vector<std::string> registered_group_names();
// Their specs, in the same order.
std::vector<GroupSpec> builtin_groups(const MapLimits& limits, bool per_process);

}  // namespace kpulse::probes
