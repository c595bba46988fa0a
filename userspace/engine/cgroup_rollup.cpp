#include "engine/cgroup_rollup.h"

#include <algorithm>

#include "collect/cgroup_resolver.h"
#include "engine/cgroup_activity.h"

namespace kpulse::engine {

void CgroupRollup::begin_interval() {
  for (Node* n : touched_) {
    clear(n->interval);
    n->touched = false;
  }
  touched_.clear();
}

// Zeroes only the groups that hold counts (a group without its flag is all
// 0): the whole struct is 1.4 KiB, most of it block and net counters few
// cgroups have, and it was cleared for every cgroup every interval.
void CgroupRollup::clear(probes::CgroupTotals& t) {
  if (t.has_sched) t.sched = {};
  if (t.has_block) t.block = {};
  if (t.has_net) t.net = {};
  if (t.has_mem) t.mem = {};
  t.has_sched = t.has_block = t.has_net = t.has_mem = false;
  t.cpus_held = 0;
}

CgroupRollup::Node* CgroupRollup::node_of(uint64_t id, collect::CgroupResolver& cgroups) {
  if (cgroups.walks() != by_id_walks_) {
    by_id_.clear();
    by_id_walks_ = cgroups.walks();
  }
  if (auto it = by_id_.find(id); it != by_id_.end()) {
    // Cached since the last walk; a cgroup removed since is still named for
    // one more walk (the resolver keeps it), so this matches path(id).
    if (cgroups.knows(id)) return it->second;
    by_id_.erase(it);
  }
  auto path = cgroups.path(id);  // may walk (rate-limited): the cache restarts then
  if (!path) return nullptr;
  if (cgroups.walks() != by_id_walks_) {
    by_id_.clear();
    by_id_walks_ = cgroups.walks();
  }
  Node* n = &node_at(*path);
  by_id_.emplace(id, n);
  return n;
}

void CgroupRollup::add(Node& n, const probes::CgroupTotals& delta) {
  accumulate(n.interval, delta);
  n.touched = true;
}

void CgroupRollup::end_interval() {
  if (order_stale_) relink();
  // Deepest first, so a node's interval is complete before it is added to
  // its parent's.
  for (Node* n : deepest_first_) {
    if (!n->touched) continue;
    touched_.push_back(n);
    accumulate(n->rolled, n->interval);
    if (Node* p = n->parent) {
      accumulate(p->interval, n->interval);
      p->touched = true;
    }
  }
}

CgroupRollup::Nodes::iterator CgroupRollup::erase(Nodes::iterator it) {
  Node* gone = &it->second;
  for (auto i = by_id_.begin(); i != by_id_.end();)
    i = i->second == gone ? by_id_.erase(i) : std::next(i);
  std::erase(touched_, gone);
  order_stale_ = true;  // and children (if any remain) point at it until relinked
  return nodes_.erase(it);
}

CgroupRollup::Node& CgroupRollup::node_at(const std::string& path) {
  auto [it, fresh] = nodes_.try_emplace(path);
  if (fresh) {
    order_stale_ = true;
    if (path != "/" && !path.empty()) it->second.parent = &node_at(collect::cgroup_parent(path));
  }
  return it->second;
}

// Parent pointers and the deepest-first order, after nodes came or went. A
// node whose parent was erased before it gets the parent back (empty).
void CgroupRollup::relink() {
  std::vector<std::pair<size_t, Node*>> by_depth;
  for (auto it = nodes_.begin(); it != nodes_.end(); ++it) {
    const std::string& path = it->first;
    Node& n = it->second;
    n.parent = path == "/" || path.empty() ? nullptr : &node_at(collect::cgroup_parent(path));
  }
  for (auto& [path, n] : nodes_)
    by_depth.emplace_back(path == "/" ? 0 : size_t(std::count(path.begin(), path.end(), '/')), &n);
  std::stable_sort(by_depth.begin(), by_depth.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  deepest_first_.clear();
  for (auto& [depth, n] : by_depth) deepest_first_.push_back(n);
  order_stale_ = false;
}

}  // namespace kpulse::engine
