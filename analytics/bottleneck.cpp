#include "analytics/bottleneck.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <unordered_set>

#include "model/listeners_exits.h"
#include "model/snapshot.h"

namespace kpulse::analytics {

using model::ComponentKind;
using model::MetricId;

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::Info:
      return "info";
    case Severity::Warning:
      return "warning";
    case Severity::Critical:
      return "critical";
  }
  return "?";
}

namespace {

// The rule a signal's saturation stands for; the worst signal names the bottleneck.
std::string rule_for(const UseRow& row, const UseSignal& s) {
  if (s.name == "oom_kills") return "oom-kill";
  if (s.name == "cpu_throttled") return "cpu-throttled";
  if (s.name == "retransmits") return "tcp-loss";
  if (s.name == "net_drops" || s.name == "drops") return "packet-drops";
  if (s.name == "listen_overflows" || s.name == "accept_queue_fill") return "listen-overflow";
  if (s.name == "block_errors" || s.name == "errors") return "device-errors";
  switch (row.resource) {
    case Resource::Cpu:
      return "cpu-saturation";
    case Resource::Memory:
      return "memory-pressure";
    case Resource::Disk:
      return row.kind == ComponentKind::Disk ? "disk-saturation" : "io-stall";
    case Resource::Network:
      return "network-saturation";
  }
  return "saturation";
}

double usage_of(const model::Component& c, Resource r, double dt) {
  auto d = [&](MetricId id) {
    double v = c.delta(id);
    return std::isfinite(v) ? v : 0.0;
  };
  switch (r) {
    case Resource::Cpu: {
      // A cgroup's first busy interval may lack a utilization reading (no
      // earlier usage to difference); time on CPU from BPF covers it.
      double v = c.value(MetricId::CpuUtilization);
      return std::isfinite(v) ? v : model::rate_of(d(MetricId::SchedOncpuTime), dt);
    }
    case Resource::Memory: {
      double v = c.value(MetricId::CgMemCurrent);
      return std::isfinite(v) ? v : 0.0;
    }
    case Resource::Disk:
      return model::rate_of(std::max(d(MetricId::BlkReadBytes) + d(MetricId::BlkWriteBytes),
                                     d(MetricId::CgIoReadBytes) + d(MetricId::CgIoWriteBytes)),
                            dt);
    case Resource::Network:
      return model::rate_of(d(MetricId::TcpRetransmits), dt);
  }
  return 0;
}

// The read part of a cgroup's disk use, from the same source usage_of took
// (the block layer's or the cgroup's own counters, whichever saw more).
double disk_reads_of(const model::Component& c, double dt) {
  auto d = [&](MetricId id) {
    double v = c.delta(id);
    return std::isfinite(v) ? v : 0.0;
  };
  const double blk = d(MetricId::BlkReadBytes) + d(MetricId::BlkWriteBytes);
  const double cg = d(MetricId::CgIoReadBytes) + d(MetricId::CgIoWriteBytes);
  return model::rate_of(blk >= cg ? d(MetricId::BlkReadBytes) : d(MetricId::CgIoReadBytes), dt);
}

// The limit that binds a cgroup's memory: the lower of memory.high and
// memory.max (v1: memory.limit_in_bytes); NaN when it has neither.
double binding_memory_limit(const model::Component& c) {
  double limit = c.value(MetricId::CgMemMax);
  const double high = c.value(MetricId::CgMemHigh);
  if (high > 0 && !(limit <= high)) limit = high;
  return limit;
}

bool is_ancestor(const std::string& ancestor, const std::string& path) {
  if (ancestor == "/") return true;
  return path.size() > ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
         path[ancestor.size()] == '/';
}

// A candidate cause: a leaf cgroup, or the processes sitting directly in a
// cgroup that has children (a compile in the root cgroup), with its busiest
// processes by name.
struct Consumer {
  std::string cgroup;  // cgroup path
  bool leaf = false;   // its usage is the cgroup's own figure, not a sum of processes
  double usage = 0;
  double read_usage = model::kNaN;                        // disk: the part of usage that was reads
  std::vector<std::pair<double, std::string>> processes;  // (usage, "comm [pid]")

  void add_process(double u, std::string name) {
    if (!leaf) usage += u;  // a leaf's own figure already covers its processes
    processes.emplace_back(u, std::move(name));
  }
};

double process_usage(const model::Component& p, Resource r, double dt) {
  if (r == Resource::Memory) {
    double v = p.value(MetricId::ProcRss);
    return std::isfinite(v) ? v : 0.0;
  }
  if (r != Resource::Cpu) return 0;  // no per-process I/O or network figures
  double v = p.value(MetricId::CpuUtilization);
  if (std::isfinite(v)) return v;
  v = model::rate_of(p.delta(MetricId::SchedOncpuTime), dt);
  return std::isfinite(v) ? v : 0.0;
}

// The resource's use over the whole host, the denominator of a cause's share:
// what runs in the root cgroup counts as much as what runs in any other.
double host_usage(const model::Snapshot& snap, Resource r, double dt) {
  const double ncpu = cpu_count(snap);
  for (const auto& c : snap.components) {
    if (c.kind != ComponentKind::Host) continue;
    auto d = [&](MetricId id) {
      double v = c.delta(id);
      return std::isfinite(v) ? v : 0.0;
    };
    switch (r) {
      case Resource::Cpu: {
        double v = c.value(MetricId::CpuUtilization) * ncpu;
        return std::isfinite(v) ? v : 0.0;
      }
      case Resource::Memory: {
        double v = c.value(MetricId::MemUsed);
        return std::isfinite(v) ? v : 0.0;
      }
      case Resource::Disk:
        return model::rate_of(d(MetricId::BlkReadBytes) + d(MetricId::BlkWriteBytes), dt);
      case Resource::Network:
        return model::rate_of(d(MetricId::TcpRetransmits), dt);
    }
  }
  return 0;
}

std::vector<Consumer> consumers(const model::Snapshot& snap, Resource r, double dt) {
  std::map<std::string, Consumer> by_cgroup;
  for (const auto* c : leaf_cgroups(snap)) {
    auto& k = by_cgroup[c->id];
    k.cgroup = c->id;
    k.leaf = true;
    k.usage = usage_of(*c, r, dt);
    if (r == Resource::Disk) k.read_usage = disk_reads_of(*c, dt);
  }
  auto group = [&](const std::string& cgroup) -> Consumer& {
    auto& k = by_cgroup[cgroup];
    k.cgroup = cgroup;
    return k;
  };
  for (const auto& p : snap.components) {
    if (p.kind != ComponentKind::Process || p.parent.empty()) continue;
    double u = process_usage(p, r, dt);
    if (u > 0) group(p.parent).add_process(u, p.name + " [" + p.id + "]");
  }
  // Tasks that exited in the interval (a compile's short-lived compilers)
  // used CPU that no live process shows. Of their lifetime's CPU time, at
  // most the part of their life inside this interval falls in it: before
  // the interval they were live processes, counted in the intervals they
  // lived through. Without an exit time (an older recording), the interval
  // bounds it.
  const double start_s = double(snap.time_ns) * 1e-9 - dt;
  if (r == Resource::Cpu)
    for (const auto& t : snap.components) {
      if (t.kind != ComponentKind::Exited) continue;
      double inside = dt;
      const double lifetime = t.value(MetricId::ExitedLifetime);
      if (lifetime >= 0) inside = std::min(inside, lifetime);  // NaN when absent
      const double exit_s = t.value(MetricId::ExitedExitTime);
      if (exit_s > 0) inside = std::min(inside, std::max(exit_s - start_s, 0.0));
      // A share of the interval (seconds of CPU per second), so a rate.
      const double u = model::rate_of(std::min(t.value(MetricId::ExitedCpuTime), inside), dt);
      const std::string tgid = t.kernel_id ? std::to_string(t.kernel_id) : t.id;
      if (u > 0 && !t.parent.empty()) group(t.parent).add_process(u, t.name + " [" + tgid + "]");
    }
  std::vector<Consumer> out;
  for (auto& [id, k] : by_cgroup)
    if (k.usage > 0) out.push_back(std::move(k));
  return out;
}

constexpr double kMinCauseShare = 0.05;

// The consumer using most of the resource other than the victim's
// descendants (its own use; the victim itself may be the cause: its own
// demand). Its share is of the host's use of the resource (a disk's: of the
// device's traffic). `memory_full`:
// the limit use at which a cgroup's memory pressure is its own limit's.
void find_cause(const model::Snapshot& snap, const UseRow& row, Bottleneck& b, double memory_full) {
  const double dt = snap.interval_s > 0 ? snap.interval_s : 1.0;
  // A cgroup reclaiming at its own memory limit is held by that limit: the
  // host's other memory users take nothing from it while the host has room
  // (seen live: a cgroup thrashing at its 64 MiB v1 limit was said to be
  // caused by a compiler in the root cgroup, on a host with 20 GiB free).
  const bool own_memory_limit = row.resource == Resource::Memory &&
                                row.kind == ComponentKind::Cgroup && row.utilization >= memory_full;
  if (b.rule == "cpu-throttled" || b.rule == "oom-kill" || own_memory_limit) {
    b.cause = row.key;  // its own limit
    b.cause_share = 1;
    return;
  }
  double total = 0, best = 0;
  const Consumer* top = nullptr;
  auto all = consumers(snap, row.resource, dt);
  for (const auto& c : all) {
    total += c.usage;
    // A leaf never contains the victim, and the processes sitting in one of
    // its ancestors compete with it like any sibling; only its descendants
    // are the victim's own use.
    if (row.kind == ComponentKind::Cgroup && is_ancestor(row.id, c.cgroup)) continue;
    if (c.usage > best) best = c.usage, top = &c;
  }
  if (!top) return;
  const double host = host_usage(snap, row.resource, dt);
  // Where the busy tasks have no per-process figure (I/O issued from the
  // root cgroup), the biggest leaf may use next to nothing: no cause then,
  // rather than a wrong one.
  if (host > 0 && best / host < kMinCauseShare) return;
  b.cause = "cgroup:" + top->cgroup;
  b.cause_usage = best;
  b.cause_share = std::max(host, total) > 0 ? best / std::max(host, total) : 0;
  // A saturated disk is held up by its own traffic, not the host's: the
  // cause's share of the device is what a cap on it takes off the queue (a
  // storm alone on a loop device was "5% of the host's I/O" while a compile
  // wrote to the system disk, and its cap was said to leave 97% of the queue;
  // it left none). The snapshot counts a cgroup's bytes over all disks, so
  // this takes the cause's bytes to be this device's, as naming it the cause
  // already does.
  if (row.kind == ComponentKind::Disk)
    if (const model::Component* disk = snap.find(ComponentKind::Disk, row.id)) {
      double bytes = 0;
      for (MetricId id : {MetricId::DiskReadBytes, MetricId::DiskWriteBytes})
        if (const double v = disk->delta(id); std::isfinite(v)) bytes += v;
      if (bytes > 0) b.cause_share = std::min(1.0, best / model::rate_of(bytes, dt));
    }
  if (top->read_usage >= 0) b.cause_read_share = std::clamp(top->read_usage / best, 0.0, 1.0);
  auto procs = top->processes;
  std::sort(procs.begin(), procs.end(), std::greater<>());
  for (size_t i = 0; i < procs.size() && i < 3; ++i) b.cause_processes.push_back(procs[i].second);
}

CpuDemand cpu_demand(const model::Snapshot& snap, const UseRow& row) {
  CpuDemand d;
  const model::Component* c = snap.find(ComponentKind::Cgroup, row.id);
  if (!c) return d;
  const double dt = snap.interval_s > 0 ? snap.interval_s : 1.0;
  d.used = c->value(MetricId::CpuUtilization);
  d.quota = c->value(MetricId::CgCpuQuota);
  d.throttled = c->rate(MetricId::CgCpuThrottledTime, dt);
  d.cpus = cpu_count(snap);
  return d;
}

// Cgroups whose own stall signals for the resource are the worst.
void find_victims(const std::vector<UseRow>& table, const UseRow& row, Bottleneck& b) {
  if (row.kind == ComponentKind::Cgroup) {
    b.victims.push_back(row.key);
    return;
  }
  std::vector<std::pair<double, std::string>> hurt;
  for (const auto& r : table)
    if (r.kind == ComponentKind::Cgroup && r.resource == row.resource && r.saturation >= 1)
      hurt.emplace_back(r.saturation, r.key);
  std::sort(hurt.begin(), hurt.end(), std::greater<>());
  for (size_t i = 0; i < hurt.size() && i < 5; ++i) b.victims.push_back(hurt[i].second);
}

}  // namespace

std::vector<const model::Component*> leaf_cgroups(const model::Snapshot& snap) {
  std::set<std::string> parents;
  for (const auto& c : snap.components)
    if (c.kind == ComponentKind::Cgroup && !c.parent.empty()) parents.insert(c.parent);
  std::vector<const model::Component*> out;
  for (const auto& c : snap.components)
    if (c.kind == ComponentKind::Cgroup && c.id != "/" && !parents.count(c.id)) out.push_back(&c);
  return out;
}

BottleneckDetector::BottleneckDetector(BottleneckConfig config) : cfg_(std::move(config)) {}

bool BottleneckDetector::in_scope(const std::string& key) const {
  if (cfg_.scope.empty()) return true;
  for (const auto& s : cfg_.scope)
    if (key.compare(0, s.size(), s) == 0) return true;
  return false;
}

// The USE saturation signals that mean trouble by their level alone: stall
// shares (PSI), scheduler wait, quota throttling, a disk's queue, and
// reclaim on memory that is full. Error counters and latency tails stay on the
// baseline path: their level depends too much on the device and the workload.
bool BottleneckDetector::on_limit_path(const UseRow& row, const UseSignal& s) const {
  if (s.role != UseRole::Saturation) return false;
  if (s.name == "psi_cpu_some" || s.name == "psi_io_some" || s.name == "psi_memory_some" ||
      s.name == "runq_latency_p99" || s.name == "cpu_throttled")
    return true;
  // An average of 4 requests in flight needs the device busy with a queue
  // behind it; its busy share is not asked again (loop and virtual devices
  // account busy time coarsely).
  if (s.name == "queue_depth") return true;
  if (s.name == "reclaim_stall") return row.utilization >= cfg_.memory_full;
  return false;
}

void BottleneckDetector::remember_refaults(const model::Snapshot& snap) {
  static const double page_bytes = static_cast<double>(::sysconf(_SC_PAGESIZE));
  const double dt = snap.interval_s > 0 ? snap.interval_s : 1.0;
  for (const auto& c : snap.components) {
    if (c.kind != ComponentKind::Cgroup) continue;
    const double pages = c.delta(MetricId::CgMemRefaults);
    if (!std::isfinite(pages)) continue;
    auto& r = refaults_[c.id];
    r.last_seen = seq_;
    r.window.emplace_back(dt, pages * page_bytes);
    double span = 0;
    for (const auto& [s, bytes] : r.window) span += s;
    // Drop the oldest intervals while the rest still cover the span.
    while (r.window.size() > 1 && span - r.window.front().first >= cfg_.refault_span_s - 1e-9) {
      span -= r.window.front().first;
      r.window.pop_front();
    }
  }
  for (auto it = refaults_.begin(); it != refaults_.end();)
    it = (seq_ - it->second.last_seen > cfg_.forget_after) ? refaults_.erase(it) : std::next(it);
}

void BottleneckDetector::remember_processes(const model::Snapshot& snap) {
  processes_.clear();
  std::unordered_set<std::string_view> limited;
  for (const auto& c : snap.components)
    if (c.kind == ComponentKind::Cgroup && binding_memory_limit(c) > 0) limited.insert(c.id);
  if (limited.empty()) return;
  // Whether the cgroup or one of its ancestors has a limit ("/a/b", "/a", "/").
  auto under_limit = [&limited](std::string_view cgroup) {
    for (;;) {
      if (limited.count(cgroup)) return true;
      const size_t slash = cgroup.rfind('/');
      if (slash == std::string_view::npos || cgroup.size() <= 1) return false;
      cgroup = cgroup.substr(0, std::max<size_t>(slash, 1));
    }
  };
  for (const auto& p : snap.components) {
    if (p.kind != ComponentKind::Process) continue;
    const double rss = p.value(MetricId::ProcRss);
    if (rss > 0 && under_limit(p.parent)) processes_.push_back({p.kernel_id, rss});
  }
}

MemoryDemand BottleneckDetector::memory_demand(const model::Snapshot& snap,
                                               const UseRow& row) const {
  MemoryDemand m;
  const model::Component* c = snap.find(ComponentKind::Cgroup, row.id);
  if (!c) return m;
  m.usage = c->value(MetricId::CgMemCurrent);
  m.limit = binding_memory_limit(*c);
  if (auto it = refaults_.find(row.id); it != refaults_.end() && it->second.last_seen == seq_) {
    m.refaulted = 0;
    for (const auto& [s, bytes] : it->second.window) m.span_s += s, m.refaulted += bytes;
  }
  if (const model::Component* host = snap.host()) {
    m.host_available = host->value(MetricId::MemAvailable);
    m.host_total = host->value(MetricId::MemTotal);
  }
  // The OOM killer's victims: tasks of the cgroup's tree that died of SIGKILL
  // this interval, sized by what the previous snapshot saw them hold.
  if (c->delta(MetricId::MemOomKills) > 0)
    for (const auto& e : model::exited_tasks(snap)) {
      if ((e.exit_code & 0x7f) != 9 || !(e.cgroup == row.id || is_ancestor(row.id, e.cgroup)))
        continue;
      for (const auto& p : processes_)
        if (p.pid == e.tgid && p.rss > 0) {
          m.killed_rss += p.rss;
          m.killed.push_back(e.comm + " [" + std::to_string(p.pid) + "]");
        }
    }
  return m;
}

BottleneckDetector::Track& BottleneckDetector::track(const std::string& key,
                                                     const std::string& signal) {
  auto& t = tracks_[key + "|" + signal];
  if (!t) t = std::make_unique<Track>(Track{AnomalyDetector(cfg_.detector)});
  return *t;
}

std::vector<Bottleneck> BottleneckDetector::update(const model::Snapshot& snap) {
  ++seq_;
  table_ = use_table(snap, cfg_.limits);
  remember_refaults(snap);
  const double t = double(snap.time_ns) / 1e9;
  std::vector<Bottleneck> out;
  for (const auto& row : table_) {
    // Per-CPU rows and the root cgroup restate the host row; alerting on them
    // would triple every host alert.
    if (row.kind == ComponentKind::Cpu || row.key == "cgroup:/" || !in_scope(row.key)) continue;
    Bottleneck b;
    const UseSignal* worst = nullptr;
    for (const auto& s : row.signals) {
      if (s.role == UseRole::Utilization) continue;
      auto& tr = track(row.key, s.name);
      tr.last_seen = seq_;
      const double now_score = tr.detector.update(t, s.value);
      // An onset late in an interval reads as a partial value under the
      // limit: that sample gets the detector's surprise, and the full one
      // that crosses the limit next is damped as a repeat of the same
      // episode. The crossing carries the episode's score, so a storm that
      // is strong enough fires at once rather than an interval later.
      const double score = std::max(now_score, tr.last_score);
      tr.last_score = now_score;
      double ratio = s.value / s.limit;
      const double baseline_before = tr.baseline;
      // The baseline moves only while the signal is normal, so the evidence
      // says what the signal read before the trouble started.
      if (tr.samples == 0)
        tr.baseline = s.value;
      else if (ratio < 1)
        tr.baseline += 0.05 * (s.value - tr.baseline);
      ++tr.samples;
      tr.over = ratio >= 1 ? tr.over + 1 : 0;
      if (ratio < 1) continue;
      if (on_limit_path(row, s) && (tr.over >= cfg_.limit_after || ratio >= cfg_.limit_now_ratio))
        b.sustained = true;
      b.evidence.push_back({row.key, s.name, s.value, tr.baseline, s.limit, score, s.unit});
      b.held = std::max(b.held, tr.over);
      bool learned = tr.samples > cfg_.min_history;
      // The detector scores surprises both ways; only a turn for the worse is
      // news here (a saturated host whose stall time drops is not an alert).
      bool worse = s.value > baseline_before;
      // The detector ranks a surprise against the signal's own recent
      // surprises, so one earlier blip on a near-constant signal (udev probing
      // a new disk) can make a real jump rank low. A signal far over its limit
      // from a baseline well under it is news whatever its rank.
      bool jumped = ratio >= cfg_.jump_ratio && baseline_before < 0.5 * s.limit;
      if ((learned && worse && (score >= cfg_.score_threshold || jumped)) || s.name == "oom_kills")
        b.anomalous = true;
      if (!worst || ratio > worst->value / worst->limit) worst = &s;
    }
    if (!worst) continue;
    // A cgroup throttled over the limit got its quota's worth of CPU and
    // waited out the rest of each period: its run-queue wait and CPU stall
    // are the throttling seen from inside, so its own quota names the
    // bottleneck even when those read higher (on a busy host they did, and
    // the cgroup got a weight raise, which a quota ignores).
    if (const UseSignal* throttled = row.find("cpu_throttled");
        throttled && throttled->value >= throttled->limit)
      worst = throttled;
    // A process killed for memory is the worst that happened to the
    // component, whatever its stalls read against their own limits.
    if (const UseSignal* killed = row.find("oom_kills"); killed && killed->value >= killed->limit)
      worst = killed;
    b.rule = rule_for(row, *worst);
    b.resource = row.resource;
    b.component = row.key;
    b.id = b.rule + ":" + row.key;
    std::sort(b.evidence.begin(), b.evidence.end(), [](const Evidence& x, const Evidence& y) {
      return x.value / x.limit > y.value / y.limit;
    });
    // The signal that named the rule leads, so the summary cites it (an
    // oom-kill citing its reclaim stalls read as a contradiction).
    std::stable_partition(b.evidence.begin(), b.evidence.end(),
                          [&worst](const Evidence& e) { return e.signal == worst->name; });
    b.saturation = 0;
    for (const auto& e : b.evidence) b.saturation = std::max(b.saturation, e.value / e.limit);
    for (const auto& e : b.evidence) b.score = std::max(b.score, e.score);
    b.severity =
        (b.saturation >= 3 || b.rule == "oom-kill") ? Severity::Critical : Severity::Warning;
    find_victims(table_, row, b);
    find_cause(snap, row, b, cfg_.memory_full);
    if (row.resource == Resource::Memory && row.kind == ComponentKind::Cgroup)
      b.memory = memory_demand(snap, row);
    if (b.rule == "cpu-throttled") b.cpu = cpu_demand(snap, row);
    out.push_back(std::move(b));
  }
  remember_processes(snap);
  // Components that went away (a finished cgroup) must not keep memory forever.
  for (auto it = tracks_.begin(); it != tracks_.end();)
    it = (seq_ - it->second->last_seen > cfg_.forget_after) ? tracks_.erase(it) : std::next(it);
  return out;
}

}  // namespace kpulse::analytics
