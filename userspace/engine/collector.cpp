#include "engine/collector.h"

#include <unistd.h>

#include <algorithm>
#include <thread>
#include <unordered_map>

#include "collect/cgroup_layout.h"
#include "collect/cgroup_resolver.h"
#include "collect/cgroup_stats.h"
#include "collect/cgroup_watch.h"
#include "collect/disk_stats.h"
#include "collect/listener_collector.h"
#include "collect/process_resolver.h"
#include "collect/process_stats.h"
#include "collect/tcp_listeners.h"
#include "engine/cgroup_activity.h"
#include "engine/cgroup_rollup.h"
#include "engine/delta_tracker.h"
#include "engine/derived_metrics.h"
#include "engine/kernel_kept.h"
#include "engine/kept_file_budget.h"
#include "engine/process_list.h"
#include "model/listeners_exits.h"
#include "probes/probe_group.h"
#include "probes/probe_set.h"

namespace kpulse::engine {

using model::Component;
using model::ComponentKind;
using model::MetricId;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kProc = "/proc";

// After a change inotify reported (collect/cgroup_watch.h), the cgroup tree
// is walked at most this often, so a cgroup BPF never mentions (idle, or no
// BPF at all) is listed within this time; always this often when inotify
// cannot watch the whole tree.
constexpr std::chrono::seconds kCgroupWalkEvery{5};
// Without a reported change, the tree is still walked this often: a safety
// net for what inotify cannot see (nothing known; cgroups are made and
// removed only by mkdir, rmdir and rename). A walk of 1,000 cgroups costs
// about as much as an interval's other cgroup work, so every 60 s it is
// under 2% of it.
constexpr std::chrono::seconds kCgroupSafetyWalkEvery{60};

collect::CgroupResolverOptions cgroup_resolver_options() {
  collect::CgroupResolverOptions o;
  o.watch_tree = true;
  return o;
}

constexpr const char* kSys = "/sys";

std::string hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct Collector::Impl {
  explicit Impl(CollectorOptions o)
      : options(std::move(o)),
        layout(collect::detect_cgroup_layout()),
        cgroups(layout.v2_root.empty() ? layout.walk_root() : layout.v2_root,
                cgroup_resolver_options()),
        cgroup_stats(layout, cgroup_stats_options()),
        processes(kProc),
        disk_names(kProc, kSys),
        process_list({options.max_processes, options.include_idle_processes, kept_stat_files()},
                     kProc, processes),
        host_name(hostname()) {
    cgroup_stats.use_v1_tree(&v1_tree);
  }

  CollectorOptions options;
  std::unique_ptr<probes::ProbeSet> probes;
  ProbeReport report;

  collect::CgroupLayout layout;
  collect::CgroupResolver cgroups;
  // Cgroups of the v1 hierarchies (hybrid and v1 hosts), walked as often;
  // cgroup_stats looks up where a cgroup sits in them.
  collect::V1Tree v1_tree;
  collect::CgroupTreeWatch v1_watch;
  size_t walks_seen = 0;  // cgroups.walks() when nodes were last made from its paths
  collect::CgroupStatsReader cgroup_stats;
  collect::ProcessResolver processes;
  collect::DiskNames disk_names;
  collect::ListenerCollector listeners{kProc, &processes};
  ProcessList process_list;
  DeltaTracker deltas;
  std::string host_name;
  collect::TcpHostCounters host_tcp;  // /proc/net/netstat, this interval
  collect::OtherNetnsInterfaces other_netns;

  // Previous raw per-cgroup BPF totals, for per-interval deltas.
  probes::CgroupTotalsMap prev_cgroups;
  uint64_t prev_events = 0, prev_map_full = 0, prev_untraced_waits = 0;
  // Cgroup totals rolled up the tree (own + descendants).
  CgroupRollup rollup;
  probes::CgroupTotals host_bpf;
  SwitchCoverage switch_coverage;

  Clock::time_point last_collect{};
  Clock::time_point next_deadline{};
  uint64_t seq = 0;

  model::Snapshot build();
  void add_self(std::vector<Component>& comps, const probes::BpfTotals& t, double drain_s);
  // Takes t.cgroups (kept as the next interval's baseline); the rest of `t`
  // is left as it was.
  void add_bpf(model::Snapshot& snap, std::vector<Component>& comps, probes::BpfTotals& t);
  // This interval's per-cgroup deltas, rolled up the tree; returns their sum.
  probes::CgroupTotals roll_up_cgroups(probes::BpfTotals& t);
  // `bpf_saw_all`: BPF's per-cgroup activity covers the interval (it then
  // tells idle cgroups, whose cgroupfs figures are re-read less often).
  void add_cgroups(std::vector<Component>& added, const probes::BpfTotals& t, bool bpf_saw_all,
                   double interval_s);
  std::vector<model::Listener> list_listeners();
  [[nodiscard]] const std::vector<probes::ProbeGroup*>& active_groups() const;
};

model::Snapshot Collector::Impl::build() {
  const auto now = Clock::now();
  model::Snapshot snap;
  snap.seq = seq++;
  snap.time_ns = wall_clock_ns();
  snap.interval_s = last_collect == Clock::time_point{}
                        ? 0
                        : std::chrono::duration<double>(now - last_collect).count();
  last_collect = now;
  snap.hostname = host_name;

  // 1. Drain the kernel maps first, so BPF and /proc cover the same instant.
  probes::BpfTotals totals;
  double drain_s = 0;
  if (probes) {
    auto t0 = Clock::now();
    totals = probes->drain();
    drain_s = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  // 2. What the kernel already keeps: cumulative counters and gauges.
  std::vector<Component> comps = read_kernel_kept(kProc, kSys, disk_names, host_tcp, other_netns);
  // 3. BPF: cgroups, processes, CPUs, disks, listeners, drops, exits.
  add_bpf(snap, comps, totals);
  // 4. Agent self-accounting, then deltas of kernel-kept counters (BPF
  //    counters carry their own), then derived gauges.
  add_self(comps, totals, drain_s);
  derive_metrics(comps, snap.interval_s);
  snap.components = std::move(comps);
  return snap;
}

void Collector::Impl::add_self(std::vector<Component>& comps, const probes::BpfTotals& t,
                               double drain_s) {
  Component self = collect::make_agent_component();
  collect::read_self(self, kProc);
  DeltaTracker::mark_unknown(self);
  self.set_gauge(MetricId::SelfDrainTime, drain_s);
  comps.push_back(std::move(self));
  deltas.apply(comps);
  for (auto& c : comps) {
    if (c.kind != ComponentKind::Agent || c.id != "kpulse") continue;
    // A BPF counter's total and its growth since the last drain, which
    // becomes the baseline for the next.
    auto bpf_counter = [&c](MetricId id, uint64_t total, uint64_t& prev) {
      c.set_counter(id, double(total), double(total >= prev ? total - prev : 0));
      prev = total;
    };
    bpf_counter(MetricId::SelfEvents, t.events, prev_events);
    bpf_counter(MetricId::SelfMapFull, t.map_full, prev_map_full);
    bpf_counter(MetricId::SelfUntracedWaits, t.untraced_waits, prev_untraced_waits);
    break;
  }
}

const std::vector<probes::ProbeGroup*>& Collector::Impl::active_groups() const {
  static const std::vector<probes::ProbeGroup*> none;
  return probes ? probes->active_groups() : none;
}

void Collector::Impl::add_bpf(model::Snapshot& snap, std::vector<Component>& comps,
                              probes::BpfTotals& t) {
  Component* host = nullptr;
  for (auto& c : comps)
    if (c.kind == ComponentKind::Host) {
      host = &c;
      break;
    }
  // New components go here and join `comps` at the end, so pointers into
  // `comps` (host, CPUs, disks) stay valid meanwhile.
  std::vector<Component> added, listed_processes;

  const probes::CgroupTotals host_delta = roll_up_cgroups(t);
  // Without the sched group BPF cannot tell an idle cgroup; with it, not when
  // a CPU ran a task all interval unseen, nor when a full map dropped counts.
  const bool covered = t.sched && switch_coverage.update(comps, t.cpus, snap.interval_s);
  add_cgroups(added, t, covered && t.map_full == prev_map_full, snap.interval_s);

  // Host: sums over all cgroups.
  accumulate(host_bpf, host_delta);
  if (host) {
    for (const auto* g : active_groups()) g->add_host_samples(*host, host_bpf, host_delta);
    // A SYN dropped because the accept queue is full is freed without a drop
    // reason, so BPF tracepoints see only the final-ACK overflows; the
    // kernel's own ListenOverflows counter sees both.
    if (host_tcp.listen_overflows >= 0)
      host->set_counter(MetricId::TcpListenOverflows, double(host_tcp.listen_overflows),
                        model::kNaN);
  }

  process_list.add(listed_processes, t, snap.seq);
  // The scan's listing of /proc lists the namespaces too (one readdir for both).
  if (process_list.scanned_at(snap.seq)) other_netns.relist_from(process_list.scan().pids());
  std::vector<model::Listener> listened = list_listeners();
  std::vector<model::ExitedTask> exited;
  // What else each group saw: CPUs, disks, drops, listener overflows, exits.
  probes::SampleContext context{listened, exited,     comps,    added,     host,
                                cgroups,  disk_names, host_bpf, host_delta};
  for (auto* g : active_groups()) g->add_samples(t, context);
  for (const auto& e : t.exits) processes.forget(e.tgid);

  for (auto& c : added) comps.push_back(std::move(c));
  for (auto& c : listed_processes) comps.push_back(std::move(c));
  for (const auto& l : listened) comps.push_back(model::to_component(l));
  for (const auto& e : exited) comps.push_back(model::to_component(e));
}

probes::CgroupTotals Collector::Impl::roll_up_cgroups(probes::BpfTotals& t) {
  // Ids the resolver has not seen yet (cgroups created since its last walk,
  // which on a miss is rate-limited): walk once now, so a task that lived
  // and died within the interval is still named by its cgroup; not when
  // inotify saw no cgroup made since that walk (an id of a cgroup outside
  // the tree would otherwise cost a walk every interval).
  bool unknown = false;
  for (const auto& [id, total] : t.cgroups) unknown |= !cgroups.knows(id);
  for (const auto& e : t.exits) unknown |= !cgroups.knows(e.cgroup_id);
  if (unknown) cgroups.refresh_for_unknown_ids();

  rollup.begin_interval();
  probes::CgroupTotals host_delta;
  std::vector<uint64_t> gone;
  static const probes::CgroupTotals kNone;  // a cgroup's baseline before its first drain
  for (const auto& [id, total] : t.cgroups) {
    const auto it = prev_cgroups.find(id);
    probes::CgroupTotals d = subtract(total, it != prev_cgroups.end() ? it->second : kNone);
    accumulate(host_delta, d);
    CgroupRollup::Node* node = rollup.node_of(id, cgroups);
    if (!node) {
      gone.push_back(id);  // removed since: its last counts were taken already
      continue;
    }
    CgroupRollup::add(*node, d);
  }
  if (probes && !gone.empty()) probes->forget_cgroups(gone);
  prev_cgroups = std::move(t.cgroups);  // not used below: no copy of ~1 KiB per cgroup
  for (auto id : gone) prev_cgroups.erase(id);
  rollup.end_interval();
  return host_delta;
}

void Collector::Impl::add_cgroups(std::vector<Component>& added, const probes::BpfTotals& t,
                                  bool bpf_saw_all, double interval_s) {
  // Presence comes from cgroupfs: every cgroup of the tree is listed, idle
  // or not, with or without BPF (which only adds detail).
  // A node per cgroup a walk listed, made after each walk (a cgroup found gone
  // since is dropped below and comes back only if a later walk lists it).
  cgroups.refresh_if_changed(kCgroupWalkEvery, kCgroupSafetyWalkEvery);
  if (cgroups.walks() != walks_seen) {
    walks_seen = cgroups.walks();
    for (const auto& [path, id] : cgroups.paths()) rollup.ensure(path);
  }
  if (!layout.v1.empty() && v1_watch.walk_due(kCgroupWalkEvery, kCgroupSafetyWalkEvery)) {
    collect::walk_v1_tree(layout, v1_tree, collect::kMaxCgroups, &v1_watch);
    for (const auto& [dir, paths] : v1_tree.paths)
      for (const auto& path : paths) rollup.ensure(path);
  }

  const uint64_t recreated_before = cgroup_stats.recreated();
  // A cgroup removed and made again under its path since the last walk still
  // has the old one's id there: while the watch says the tree changed, each
  // path's id is read afresh, so every component carries its own cgroup's id
  // (a new id restarts its counters' deltas, DeltaTracker) and none inherits
  // the old cgroup's totals as a baseline.
  const bool ids_may_be_stale = cgroups.ids_may_be_stale();
  auto& rolled = rollup.nodes();
  for (auto it = rolled.begin(); it != rolled.end();) {
    const std::string& path = it->first;
    // The id from the last walk: a stat per cgroup per interval was a fifth
    // of the engine's CPU at 1,000 cgroups. Only paths the walk did not see
    // (removed since) cost a stat.
    CgroupRollup::Node& node = it->second;
    if (node.id_walk != cgroups.walks()) {
      node.walked_id = cgroups.cached_id(path);
      node.id_walk = cgroups.walks();
    }
    auto id = ids_may_be_stale ? std::nullopt : node.walked_id;
    if (!id) id = cgroups.id_of(path);
    const probes::CgroupTotals& d = node.interval;
    node.since_cpu_read.add(d, t.sched_slices);
    Component c = collect::make_cgroup_component(path, id.value_or(0));
    // BPF cannot tell an idle cgroup in v1 hierarchies only (no cgroup2 id
    // for its tasks to carry). Its CPU figures are judged on what BPF saw
    // since they were last read, so small activity adding up is read once
    // past the bar.
    const auto activity = !bpf_saw_all || !id ? collect::CgroupActivity::Unknown
                                              : activity_of(d, node.since_cpu_read, interval_s);
    node.waited_since_cpu_psi_ns += d.sched.runq_latency.sum_ns;
    if (!cgroup_stats.read(path, c, nullptr, activity, is_stall_quiet(t, d),
                           waits_quiet(node.waited_since_cpu_psi_ns, interval_s)) &&
        path != "/") {
      it = rollup.erase(it);  // the cgroup is gone
      continue;
    }
    if (cgroup_stats.cpu_read()) node.since_cpu_read = {};
    if (cgroup_stats.cpu_psi_read()) node.waited_since_cpu_psi_ns = 0;
    DeltaTracker::mark_unknown(c);
    for (const auto* g : active_groups()) g->add_cgroup_samples(c, it->second.rolled, d);
    added.push_back(std::move(c));
    ++it;
  }
  cgroup_stats.end_interval();
  // A cgroup removed and recreated under the same path (its kept files
  // failed): the walk's ids are stale, so walk again for the next interval.
  if (cgroup_stats.recreated() != recreated_before) cgroups.refresh();
}

// Listening sockets and their accept queues (sock_diag); the net group adds
// the overflows BPF saw. Owners (pid, comm, cgroup) come from a /proc/*/fd
// scan when a listener first appears (bounded per interval; a cut scan resumes
// at the next one), cached by socket inode while it lives.
std::vector<model::Listener> Collector::Impl::list_listeners() {
  std::vector<model::Listener> out;
  std::string error;
  listeners.collect(out, error, /*resolve_all_owners=*/true);
  return out;
}

Collector::Collector(CollectorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  if (impl_->options.enable_bpf) {
    probes::ProbeSetOptions po;
    po.groups = impl_->options.probe_groups;
    po.limits.cgroups = impl_->options.max_cgroups;
    po.limits.processes = impl_->options.max_tracked_processes;
    po.limits.requests = impl_->options.max_inflight_requests;
    impl_->probes = std::make_unique<probes::ProbeSet>(po);
    impl_->report = impl_->probes->report();
  } else {
    for (const auto& g : probes::registered_group_names())
      impl_->report.groups.push_back({g, false, "BPF disabled (--no-bpf)", {}});
  }
  // Baseline for kernel-kept counters, so the first snapshot has deltas.
  impl_->build();
  impl_->seq = 0;
  impl_->next_deadline = Clock::now() + impl_->options.interval;
}

Collector::~Collector() = default;

model::Snapshot Collector::next() {
  std::this_thread::sleep_until(impl_->next_deadline);
  impl_->next_deadline += impl_->options.interval;
  // Fell behind (suspended, overloaded): skip missed ticks instead of bursting.
  if (impl_->next_deadline < Clock::now())
    impl_->next_deadline = Clock::now() + impl_->options.interval;
  return impl_->build();
}

std::optional<model::Snapshot> Collector::next(const std::function<bool()>& stop) {
  while (Clock::now() < impl_->next_deadline) {
    if (stop()) return std::nullopt;
    std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(50),
                                                          impl_->next_deadline - Clock::now()));
  }
  if (stop()) return std::nullopt;
  return next();
}

model::Snapshot Collector::collect_now() {
  return impl_->build();
}

const ProbeReport& Collector::probes() const {
  return impl_->report;
}

std::vector<MapUsage> Collector::map_usage() const {
  return impl_->probes ? impl_->probes->map_usage() : std::vector<MapUsage>{};
}

const CollectorOptions& Collector::options() const {
  return impl_->options;
}

}  // namespace kpulse::engine
