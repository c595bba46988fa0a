// Per-cgroup BPF totals rolled up the cgroup tree (own + descendants), kept
// as one node per path with a pointer to its parent, so an interval's
// roll-up costs one add per cgroup into its own node and one per node into
// its parent: no path strings built or looked up per cgroup per interval
// (that was a fifth of the engine's CPU at 1,000 cgroups).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/cgroup_activity.h"
#include "probes/bpf_totals.h"

namespace kpulse::collect {
class CgroupResolver;
}

namespace kpulse::engine {

class CgroupRollup {
 public:
  struct Node {
    Node* parent = nullptr;  // nullptr for "/"
    // Sums of deltas since the node appeared, so a removed child never makes
    // its parent's counters go back.
    probes::CgroupTotals rolled;
    probes::CgroupTotals interval;  // this interval's rolled-up delta
    bool touched = false;           // `interval` is non-zero
    // The rolled-up deltas since the engine last read the cgroup's CPU
    // figures from cgroupfs (kept here, not in a map by path: no lookup).
    ActivitySinceRead since_cpu_read;
    // Run-queue waits rolled up since cpu.pressure was last read (it may be
    // repeated when the CPU usage is read).
    uint64_t waited_since_cpu_psi_ns = 0;
    // The cgroup's id as of the resolver's walk number `id_walk` (a lookup
    // by path per cgroup and interval otherwise).
    std::optional<uint64_t> walked_id;
    size_t id_walk = ~size_t{0};
  };
  using Nodes = std::map<std::string, Node>;  // by path: components come out in path order

  // Starts an interval: every node's interval delta back to zero.
  void begin_interval();
  // The node of cgroup `id`, created with its ancestors on first sight;
  // nullptr when `cgroups` cannot name it (removed). Ids are cached until
  // the resolver walks again (a walk may rename or remove cgroups).
  Node* node_of(uint64_t id, collect::CgroupResolver& cgroups);
  // A node for `path` (and its ancestors) even when BPF saw nothing of it:
  // presence comes from cgroupfs, BPF only adds detail.
  void ensure(const std::string& path) { node_at(path); }
  // Adds a cgroup's own delta of this interval.
  static void add(Node& n, const probes::CgroupTotals& delta);
  // Rolls this interval's deltas up to every ancestor and into the totals.
  void end_interval();

  Nodes& nodes() { return nodes_; }
  // Forgets the node (the cgroup is gone); returns the next one.
  Nodes::iterator erase(Nodes::iterator it);

 private:
  static void clear(probes::CgroupTotals& t);
  Node& node_at(const std::string& path);
  void relink();

  Nodes nodes_;
  std::unordered_map<uint64_t, Node*> by_id_;
  size_t by_id_walks_ = 0;
  std::vector<Node*> deepest_first_;  // children before their parents
  std::vector<Node*> touched_;
  bool order_stale_ = true;
};

}  // namespace kpulse::engine
