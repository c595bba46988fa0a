#include "engine/collector.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <array>
#include <cctype>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "collect/cgroup_layout.h"
#include "collect/cgroup_resolver.h"
#include "collect/cgroup_stats.h"
#include "collect/disk_stats.h"
#include "collect/filesystem_usage.h"
#include "collect/host_stats.h"
#include "collect/listener_collector.h"
#include "collect/net_interfaces.h"
#include "collect/pressure.h"
#include "collect/process_resolver.h"
#include "collect/process_stats.h"
#include "collect/tcp_listeners.h"
#include "engine/bpf_samples.h"
#include "engine/cgroup_rollup.h"
#include "engine/delta_tracker.h"
#include "engine/derived_metrics.h"
#include "engine/process_scan.h"
#include "probes/probe_set.h"

namespace kpulse::engine {

using model::Component;
using model::ComponentKind;
using model::MetricId;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kProc = "/proc";

// cgroupfs files read every interval stay open (collect/kept_file.h). Each
// pins a seq_file page in the kernel, so at most this many are kept (64 MiB
// of kernel memory at worst; ~4 per cgroup on hybrid hosts, up to 8 on v2
// hosts with every controller), past which reads fall back to open/read.
constexpr size_t kMaxKeptCgroupFiles = 16384;

// Processes with at least this many threads have /proc/PID/stat read every
// kManyThreadsEvery intervals only (see add_processes).
constexpr double kManyThreads = 1000;
constexpr uint64_t kManyThreadsEvery = 5;

// With the sched group, /proc is scanned for idle processes every this many
// intervals (busy ones are read every interval).
constexpr uint64_t kProcessScanEvery = 5;

// The cgroup tree is walked at least this often, so a cgroup BPF never
// mentions (idle, or no BPF at all) is listed within this time.
constexpr std::chrono::seconds kCgroupWalkEvery{5};

collect::CgroupStatsOptions cgroup_stats_options() {
  collect::CgroupStatsOptions o;
  o.kept_fds = std::min(kMaxKeptCgroupFiles, collect::raise_fd_limit_for_kept_files());
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

// "SKB_DROP_REASON_NO_SOCKET" -> "no_socket"
std::string drop_reason_label(const probes::KernelFeatures& f, uint32_t reason) {
  auto name = f.enum_name("skb_drop_reason", reason);
  if (!name) return reason == 0 ? "unknown" : "reason_" + std::to_string(reason);
  std::string s = *name;
  const std::string prefix = "SKB_DROP_REASON_";
  if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string listener_address(const kp_listener_key& k) {
  const int family = k.family == 10 ? AF_INET6 : AF_INET;
  return collect::format_endpoint(family, k.addr, k.port);
}

std::string listener_id(uint64_t netns, const std::string& address) {
  return std::to_string(netns) + "/" + address;
}

}  // namespace

struct Collector::Impl {
  explicit Impl(CollectorOptions o)
      : options(std::move(o)),
        layout(collect::detect_cgroup_layout()),
        cgroups(layout.v2_root.empty() ? layout.walk_root() : layout.v2_root),
        cgroup_stats(layout, cgroup_stats_options()),
        processes(kProc),
        disk_names(kProc, kSys),
        host_name(hostname()) {}

  CollectorOptions options;
  std::unique_ptr<probes::ProbeSet> probes;
  ProbeReport report;

  collect::CgroupLayout layout;
  collect::CgroupResolver cgroups;
  // Cgroups of the v1 hierarchies (hybrid and v1 hosts), walked as often.
  std::vector<std::string> v1_paths;
  Clock::time_point v1_walked_at{};
  collect::CgroupStatsReader cgroup_stats;
  collect::ProcessResolver processes;
  collect::DiskNames disk_names;
  collect::ListenerCollector listeners{kProc, &processes};
  DeltaTracker deltas;
  std::string host_name;
  std::string buf;
  collect::TcpHostCounters host_tcp;  // /proc/net/netstat, this interval

  // Previous raw BPF totals, for per-interval deltas.
  std::unordered_map<uint64_t, probes::CgroupTotals> prev_cgroups;
  std::unordered_map<uint32_t, kp_sched_proc> prev_procs;
  std::vector<kp_sched_cpu> prev_cpus;
  std::unordered_map<uint32_t, kp_block_stats> prev_disks;
  std::array<uint64_t, KP_DROP_REASONS> prev_drops{};
  std::unordered_map<std::string, double> prev_listener_overflows;
  uint64_t prev_events = 0, prev_map_full = 0;
  // Cgroup totals rolled up the tree (own + descendants).
  CgroupRollup rollup;
  probes::CgroupTotals host_bpf;
  // Processes with many threads: their last /proc/PID/stat reading (see
  // add_processes).
  struct ManyThreaded {
    Component component;
    uint64_t read_at = 0;  // seq of the snapshot that read it
  };
  std::unordered_map<uint32_t, ManyThreaded> many_threaded;
  ProcessScan process_scan{kProc};
  uint64_t process_scan_seq = 0;                 // seq of the snapshot that last scanned /proc
  std::unordered_set<uint32_t> read_since_scan;  // processes read afresh since that scan

  Clock::time_point last_collect{};
  Clock::time_point next_deadline{};
  uint64_t seq = 0;

  model::Snapshot build();
  // Takes t.cgroups (kept as the next interval's baseline); the rest of `t`
  // is left as it was.
  void add_bpf(model::Snapshot& snap, std::vector<Component>& comps, probes::BpfTotals& t,
               double drain_s);
  void add_processes(std::vector<Component>& comps, const probes::BpfTotals& t);
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
  std::vector<Component> comps;
  Component host = collect::make_host_component();
  std::vector<Component> cpus;
  collect::read_host(kProc, host, cpus);
  collect::read_host_pressure(kProc, host);
  host_tcp = {};
  collect::read_tcp_counters(host_tcp, kProc);
  comps.push_back(std::move(host));
  for (auto& c : cpus) comps.push_back(std::move(c));
  collect::DiskReadResult disks;
  if (collect::read_diskstats(kProc, kSys, disks)) {
    disk_names.update(disks.names);
    collect::add_filesystem_usage(kProc, kSys, disks.disks);
    for (auto& d : disks.disks) comps.push_back(std::move(d));
  }
  for (auto& i : collect::read_interfaces(kSys)) comps.push_back(std::move(i));
  for (auto& i : collect::read_other_netns_interfaces()) comps.push_back(std::move(i));
  for (auto& c : comps) DeltaTracker::mark_unknown(c);

  // 3. BPF: cgroups, processes, CPUs, disks, listeners, drops, exits.
  add_bpf(snap, comps, totals, drain_s);

  // 4. Agent self-accounting (kernel-kept parts).
  Component self = collect::make_agent_component();
  collect::read_self(self, kProc);
  DeltaTracker::mark_unknown(self);
  self.set_gauge(MetricId::SelfDrainTime, drain_s);
  comps.push_back(std::move(self));

  // 5. Deltas of kernel-kept counters (BPF counters carry their own), then
  //    derived gauges.
  deltas.apply(comps);
  auto find = [&](ComponentKind k, const std::string& id) -> Component* {
    for (auto& c : comps)
      if (c.kind == k && c.id == id) return &c;
    return nullptr;
  };
  if (Component* agent = find(ComponentKind::Agent, "kpulse")) {
    agent->set_counter(MetricId::SelfEvents, double(totals.events),
                       double(totals.events >= prev_events ? totals.events - prev_events : 0));
    agent->set_counter(
        MetricId::SelfMapFull, double(totals.map_full),
        double(totals.map_full >= prev_map_full ? totals.map_full - prev_map_full : 0));
    prev_events = totals.events;
    prev_map_full = totals.map_full;
  }
  derive_metrics(comps, snap.interval_s);
  snap.components = std::move(comps);
  return snap;
}

void Collector::Impl::add_bpf(model::Snapshot& snap, std::vector<Component>& comps,
                              probes::BpfTotals& t, double /*drain_s*/) {
  auto find = [&](ComponentKind k, auto pred) -> Component* {
    for (auto& c : comps)
      if (c.kind == k && pred(c)) return &c;
    return nullptr;
  };
  Component* host = find(ComponentKind::Host, [](const Component&) { return true; });
  // New components go here and join `comps` at the end, so pointers into
  // `comps` (host, CPUs, disks) stay valid meanwhile.
  std::vector<Component> added;

  // Ids the resolver has not seen yet (cgroups created since its last walk,
  // which on a miss is rate-limited): walk once now, so a task that lived
  // and died within the interval is still named by its cgroup.
  bool unknown = false;
  for (const auto& [id, total] : t.cgroups) unknown |= !cgroups.knows(id);
  for (const auto& e : t.exits) unknown |= !cgroups.knows(e.cgroup_id);
  if (unknown) cgroups.refresh();

  // --- cgroups: per-id deltas rolled up to every ancestor ------------------
  rollup.begin_interval();
  probes::CgroupTotals host_delta;
  std::vector<uint64_t> gone;
  for (const auto& [id, total] : t.cgroups) {
    probes::CgroupTotals before;
    if (auto it = prev_cgroups.find(id); it != prev_cgroups.end()) before = it->second;
    probes::CgroupTotals d = subtract(total, before);
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
  // Presence comes from cgroupfs: every cgroup of the tree is listed, idle
  // or not, with or without BPF (which only adds detail).
  cgroups.refresh_if_older(kCgroupWalkEvery);
  for (const auto& [path, id] : cgroups.paths()) rollup.ensure(path);
  if (!layout.v1.empty()) {
    const auto now = Clock::now();
    if (v1_walked_at == Clock::time_point{} || now - v1_walked_at >= kCgroupWalkEvery) {
      v1_paths = collect::list_v1_cgroup_paths(layout);
      v1_walked_at = now;
    }
    for (const auto& path : v1_paths) rollup.ensure(path);
  }

  const uint64_t recreated_before = cgroup_stats.recreated();
  auto& rolled = rollup.nodes();
  for (auto it = rolled.begin(); it != rolled.end();) {
    const std::string& path = it->first;
    // The id from the last walk: a stat per cgroup per interval was a fifth
    // of the engine's CPU at 1,000 cgroups. Only paths the walk did not see
    // (removed since) cost a stat.
    auto id = cgroups.cached_id(path);
    if (!id) id = cgroups.id_of(path);
    const probes::CgroupTotals& d = it->second.interval;
    Component c = collect::make_cgroup_component(path, id.value_or(0));
    // Without the sched group BPF cannot tell an idle cgroup, nor can it for
    // one in v1 hierarchies only (no cgroup2 id for its tasks to carry).
    const auto activity = !t.sched || !id               ? collect::CgroupActivity::Unknown
                          : is_busy(d, snap.interval_s) ? collect::CgroupActivity::Busy
                                                        : collect::CgroupActivity::Idle;
    if (!cgroup_stats.read(path, c, nullptr, activity, is_stall_quiet(t, d)) && path != "/") {
      it = rollup.erase(it);  // the cgroup is gone
      continue;
    }
    DeltaTracker::mark_unknown(c);
    add_cgroup_samples(c, it->second.rolled, d);
    added.push_back(std::move(c));
    ++it;
  }
  cgroup_stats.end_interval();
  // A cgroup removed and recreated under the same path (its kept files
  // failed): the walk's ids are stale, so walk again for the next interval.
  if (cgroup_stats.recreated() != recreated_before) cgroups.refresh();

  // --- host: sums over all cgroups ------------------------------------------
  accumulate(host_bpf, host_delta);
  if (host) {
    // Host block/tcp/sched come from the same per-cgroup maps; the run-queue
    // histogram is the per-CPU one (below), faults and OOMs from /proc/vmstat.
    if (t.sched) add_sched_counters(*host, host_bpf.sched, host_delta.sched);
    if (t.block) add_block_counters(*host, host_bpf.block, host_delta.block);
    if (t.net) add_net_samples(*host, host_bpf.net, host_delta.net);
    // A SYN dropped because the accept queue is full is freed without a drop
    // reason, so BPF tracepoints see only the final-ACK overflows; the
    // kernel's own ListenOverflows counter sees both.
    if (host_tcp.listen_overflows >= 0)
      host->set_counter(MetricId::TcpListenOverflows, double(host_tcp.listen_overflows),
                        model::kNaN);
    if (t.mem)
      host->set_counter(MetricId::MemReclaimStall, host_bpf.mem.reclaim_ns * 1e-9,
                        host_delta.mem.reclaim_ns * 1e-9);
  }

  // --- CPUs ---------------------------------------------------------------------
  if (t.sched) {
    kp_hist host_total{}, host_interval{};
    for (size_t cpu = 0; cpu < t.cpus.size(); ++cpu) {
      const kp_sched_cpu& now = t.cpus[cpu];
      kp_sched_cpu before{};
      if (cpu < prev_cpus.size()) before = prev_cpus[cpu];
      kp_sched_cpu d = subtract_u64_fields(now, before);
      probes::add_u64_fields(host_total, now.runq_latency);
      probes::add_u64_fields(host_interval, d.runq_latency);
      std::string id = "cpu" + std::to_string(cpu);
      Component* c = find(ComponentKind::Cpu, [&](const Component& x) { return x.id == id; });
      if (!c) continue;  // possible but offline CPU
      add_histogram(*c, MetricId::SchedRunqLatency, now.runq_latency, d.runq_latency);
      if (d.switches > 0 && d.nr_running_sum > 0)
        c->set_gauge(MetricId::SchedRunqLength, double(d.nr_running_sum) / double(d.switches));
    }
    prev_cpus = t.cpus;
    if (host) add_histogram(*host, MetricId::SchedRunqLatency, host_total, host_interval);
  }

  // --- disks ---------------------------------------------------------------------
  if (t.block) {
    for (const auto& [dev_key, now] : t.disks) {
      const uint32_t dev = dev_key;  // a plain variable: lambdas may capture it (C++17 tools)
      kp_block_stats before{};
      if (auto it = prev_disks.find(dev); it != prev_disks.end()) before = it->second;
      kp_block_stats d = subtract_u64_fields(now, before);
      Component* c =
          find(ComponentKind::Disk, [&](const Component& x) { return x.kernel_id == dev; });
      if (!c) {
        Component nc;
        nc.kind = ComponentKind::Disk;
        nc.name = nc.id = disk_names.name(dev);
        nc.kernel_id = dev;
        nc.detail = std::to_string(collect::kernel_dev_major(dev)) + ":" +
                    std::to_string(collect::kernel_dev_minor(dev));
        added.push_back(std::move(nc));
        c = &added.back();
      }
      add_block_samples(*c, now, d);
    }
    prev_disks = t.disks;
  }

  // --- processes ------------------------------------------------------------------
  add_processes(added, t);

  // --- drops by reason -------------------------------------------------------------
  if (t.net && host) {
    for (uint32_t r = 0; r < t.drop_reasons.size(); ++r) {
      uint64_t total = t.drop_reasons[r];
      if (total == 0) continue;
      uint64_t d = total >= prev_drops[r] ? total - prev_drops[r] : total;
      host->labeled.push_back(
          {MetricId::NetDrops, drop_reason_label(probes->features(), r), double(total), double(d)});
    }
    prev_drops = t.drop_reasons;
  }

  // --- listeners: sock_diag queue state + BPF overflows -------------------------------
  // Owners (pid, comm, cgroup) come from a /proc/*/fd scan when a listener
  // first appears, cached by socket inode while it lives.
  std::vector<model::Listener> listed;
  std::string error;
  listeners.collect(listed, error, /*resolve_all_owners=*/true);
  std::unordered_map<std::string, size_t> by_id;
  for (auto& l : listed) {
    by_id[listener_id(l.netns, l.address)] = snap.listeners.size();
    snap.listeners.push_back(std::move(l));
  }
  std::unordered_map<std::string, double> overflow_now;
  for (const auto& l : t.listeners) {
    std::string address = listener_address(l.key);
    std::string id = listener_id(l.key.netns, address);
    model::Listener* ml;
    if (auto it = by_id.find(id); it != by_id.end()) {
      ml = &snap.listeners[it->second];
    } else {
      snap.listeners.push_back({});
      ml = &snap.listeners.back();
      ml->netns = l.key.netns;
      ml->address = address;
      ml->backlog = l.val.backlog;
    }
    ml->overflows = double(l.val.overflows);
    double before = prev_listener_overflows.count(id) ? prev_listener_overflows[id] : 0;
    ml->overflows_delta = ml->overflows >= before ? ml->overflows - before : ml->overflows;
    if (auto p = cgroups.path(l.val.cgroup_id)) ml->cgroup = *p;
    overflow_now[id] = ml->overflows;
  }
  prev_listener_overflows.swap(overflow_now);

  // --- exited processes ----------------------------------------------------------------
  for (const auto& e : t.exits) {
    model::ExitedTask x;
    x.pid = e.pid;
    x.tgid = e.tgid;
    x.comm.assign(e.comm, strnlen(e.comm, sizeof e.comm));
    x.cgroup = cgroups.path(e.cgroup_id).value_or("");
    x.lifetime_s = e.exit_ns > e.start_ns ? double(e.exit_ns - e.start_ns) * 1e-9 : 0;
    x.cpu_time_s = double(e.cpu_ns) * 1e-9;
    x.major_faults = e.major_faults;
    x.minor_faults = e.minor_faults;
    x.read_bytes = e.read_bytes;
    x.write_bytes = e.write_bytes;
    x.exit_code = e.exit_code;
    snap.exited.push_back(std::move(x));
    processes.forget(e.tgid);
  }
  for (auto& c : added) comps.push_back(std::move(c));
}

void Collector::Impl::add_processes(std::vector<Component>& comps, const probes::BpfTotals& t) {
  // Busy processes first, by CPU used this interval: what BPF measured at
  // each context switch when the sched group runs, else /proc's CPU time.
  struct Busy {
    uint32_t tgid;
    double cpu_s;
    const kp_sched_proc* total;  // nullptr: ranked from /proc
    kp_sched_proc delta;
    const ProcessScan::Entry* scanned;
  };
  std::vector<Busy> busy;
  if (t.sched) {
    busy.reserve(t.procs.size());
    for (const auto& [tgid, now] : t.procs) {
      kp_sched_proc before{};
      if (auto it = prev_procs.find(tgid); it != prev_procs.end()) before = it->second;
      kp_sched_proc d = now;
      d.oncpu_ns = now.oncpu_ns >= before.oncpu_ns ? now.oncpu_ns - before.oncpu_ns : now.oncpu_ns;
      d.voluntary =
          now.voluntary >= before.voluntary ? now.voluntary - before.voluntary : now.voluntary;
      d.involuntary = now.involuntary >= before.involuntary ? now.involuntary - before.involuntary
                                                            : now.involuntary;
      d.major_faults = now.major_faults >= before.major_faults
                           ? now.major_faults - before.major_faults
                           : now.major_faults;
      if (d.oncpu_ns == 0 && d.voluntary == 0 && d.involuntary == 0 &&
          !options.include_idle_processes)
        continue;
      busy.push_back({tgid, double(d.oncpu_ns) * 1e-9, &now, d, nullptr});
    }
    prev_procs = t.procs;
  }
  // Every process comes from /proc: each interval without the sched group
  // (its CPU time ranks them), every kProcessScanEvery intervals with it
  // (BPF ranks the busy ones; the scan only fills the list with idle ones,
  // whose figures barely move meanwhile).
  for (const auto& e : t.exits) process_scan.forget(e.tgid);
  if (!t.sched || process_scan.scans() == 0 || seq - process_scan_seq >= kProcessScanEvery) {
    process_scan.scan();
    process_scan_seq = seq;
    read_since_scan.clear();
  }
  if (!t.sched)
    for (const auto& e : process_scan.entries())
      if (e.cpu_delta_s > 0) busy.push_back({e.stat.pid, e.cpu_delta_s, nullptr, {}, &e});
  std::sort(busy.begin(), busy.end(),
            [](const Busy& a, const Busy& b) { return a.cpu_s > b.cpu_s; });
  if (busy.size() > options.max_processes) busy.resize(options.max_processes);

  // A PID whose process exited may be reused: drop its reading first.
  for (const auto& e : t.exits) many_threaded.erase(e.tgid);
  std::unordered_map<uint32_t, ManyThreaded> many_threaded_now;
  std::unordered_set<uint32_t> listed;
  for (const auto& a : busy) {
    std::optional<Component> c;
    if (a.scanned) {
      if (const auto* info =
              processes.lookup(a.tgid, a.scanned->stat.start_ticks, a.scanned->stat.comm))
        c = collect::ProcessResolver::make_component(*info, a.scanned->stat);
    } else {
      // /proc/PID/stat makes the kernel sum the CPU time of every thread of
      // the process: ~3 ms for one with 10,000 threads, a third of the
      // engine's budget. Such a process is re-read every kManyThreadsEvery
      // intervals, its /proc figures repeated in between (its BPF counters,
      // added below, stay exact every interval).
      auto cached = many_threaded.find(a.tgid);
      if (cached != many_threaded.end() && seq - cached->second.read_at < kManyThreadsEvery) {
        c = cached->second.component;
        many_threaded_now.emplace(a.tgid, std::move(cached->second));
      } else {
        c = collect::read_process(processes, kProc, a.tgid, buf);
        if (c && c->value(MetricId::ProcThreads) >= kManyThreads)
          many_threaded_now.emplace(a.tgid, ManyThreaded{*c, seq});
      }
      if (!c) {  // exited since: keep what BPF knows
        Component nc;
        nc.kind = ComponentKind::Process;
        nc.id = std::to_string(a.tgid);
        nc.kernel_id = a.tgid;
        nc.name.assign(a.total->comm, strnlen(a.total->comm, sizeof a.total->comm));
        nc.parent = cgroups.path(a.total->cgroup_id).value_or("");
        c = std::move(nc);
      }
    }
    if (!c) continue;  // exited between the scan and now
    DeltaTracker::mark_unknown(*c);
    if (a.total) {
      add_sched_counters(*c, *a.total, a.delta);
      c->set_counter(MetricId::VmMajorFaults, double(a.total->major_faults),
                     double(a.delta.major_faults));
    }
    listed.insert(a.tgid);
    if (!a.scanned) read_since_scan.insert(a.tgid);
    comps.push_back(std::move(*c));
  }
  many_threaded.swap(many_threaded_now);  // processes not listed this time are forgotten

  // Then the idle ones up to the bound, those holding the most memory first.
  if (listed.size() < options.max_processes) {
    std::vector<const ProcessScan::Entry*> idle;
    for (const auto& e : process_scan.entries())
      if (!listed.count(e.stat.pid)) idle.push_back(&e);
    const size_t room = options.max_processes - listed.size();
    auto by_rss = [](const ProcessScan::Entry* a, const ProcessScan::Entry* b) {
      return a->stat.rss_pages > b->stat.rss_pages;
    };
    if (idle.size() > room) {
      std::partial_sort(idle.begin(), idle.begin() + std::ptrdiff_t(room), idle.end(), by_rss);
      idle.resize(room);
    } else {
      std::sort(idle.begin(), idle.end(), by_rss);
    }
    for (const auto* e : idle) {
      std::optional<Component> c;
      // Read since the scan (it was busy): the scan's figures are older than
      // the ones already shown, and counters must not go back.
      if (read_since_scan.count(e->stat.pid)) {
        c = collect::read_process(processes, kProc, e->stat.pid, buf);
      } else if (const auto* info =
                     processes.lookup(e->stat.pid, e->stat.start_ticks, e->stat.comm)) {
        c = collect::ProcessResolver::make_component(*info, e->stat);
      }
      if (!c) continue;
      DeltaTracker::mark_unknown(*c);
      comps.push_back(std::move(*c));
    }
  }
  processes.end_interval();
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
    for (const char* g : {"sched", "block", "net", "mem"})
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
