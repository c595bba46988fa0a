#include "engine/process_list.h"

#include <algorithm>
#include <cstring>

#include "engine/delta_tracker.h"
#include "probes/sched/sched_samples.h"

namespace kpulse::engine {

using model::Component;
using model::ComponentKind;
using model::MetricId;

namespace {

// Processes with at least this many threads have /proc/PID/stat read every
// kManyThreadsEvery intervals only (see read_busy).
constexpr double kManyThreads = 1000;
constexpr uint64_t kManyThreadsEvery = 5;

// With the sched group, /proc is scanned for idle processes every this many
// intervals (busy ones are read every interval).
constexpr uint64_t kProcessScanEvery = 5;

}  // namespace

std::vector<ProcessList::Busy> ProcessList::busy_from_bpf(const probes::BpfTotals& t) {
  std::vector<Busy> busy;
  busy.reserve(t.procs.size());
  for (const auto& [tgid, now] : t.procs) {
    kp_sched_proc before{};
    if (auto it = prev_procs_.find(tgid); it != prev_procs_.end()) before = it->second;
    kp_sched_proc d = probes::subtract_process(now, before);
    if (d.oncpu_ns == 0 && d.voluntary == 0 && d.involuntary == 0 &&
        !options_.include_idle_processes)
      continue;
    busy.push_back({tgid, double(d.oncpu_ns) * 1e-9, &now, d, nullptr});
  }
  prev_procs_ = t.procs;
  return busy;
}

// Every process comes from /proc: each interval without the sched group (its
// CPU time ranks them), every kProcessScanEvery intervals with it (BPF ranks
// the busy ones; the scan only fills the list with idle ones, whose figures
// barely move meanwhile).
void ProcessList::scan_if_due(const probes::BpfTotals& t, uint64_t seq) {
  for (const auto& e : t.exits) scan_.forget(e.tgid);
  if (!t.sched || scan_.scans() == 0 || seq - scan_seq_ >= kProcessScanEvery) {
    scan_.scan();
    scan_seq_ = seq;
    read_since_scan_.clear();
  }
}

std::optional<Component> ProcessList::read_busy(const Busy& a, uint64_t seq,
                                                ManyThreadedMap& kept) {
  std::optional<Component> c;
  if (a.scanned) {
    if (const auto* info =
            processes_.lookup(a.tgid, a.scanned->stat.start_ticks, a.scanned->stat.comm))
      c = collect::ProcessResolver::make_component(*info, a.scanned->stat);
    return c;
  }
  // /proc/PID/stat makes the kernel sum the CPU time of every thread of the
  // process: ~3 ms for one with 10,000 threads, a third of the engine's
  // budget. Such a process is re-read every kManyThreadsEvery intervals, its
  // /proc figures repeated in between (its BPF counters, added by the
  // caller, stay exact every interval).
  auto cached = many_threaded_.find(a.tgid);
  if (cached != many_threaded_.end() && seq - cached->second.read_at < kManyThreadsEvery) {
    c = cached->second.component;
    kept.emplace(a.tgid, std::move(cached->second));
  } else {
    c = collect::read_process(processes_, proc_root_, a.tgid, buf_);
    if (c && c->value(MetricId::ProcThreads) >= kManyThreads)
      kept.emplace(a.tgid, ManyThreaded{*c, seq});
  }
  if (!c) {  // exited since: keep what BPF knows
    Component nc;
    nc.kind = ComponentKind::Process;
    nc.id = std::to_string(a.tgid);
    nc.kernel_id = a.tgid;
    nc.name.assign(a.total->comm, strnlen(a.total->comm, sizeof a.total->comm));
    nc.parent = cgroups_.path(a.total->cgroup_id).value_or("");
    c = std::move(nc);
  }
  return c;
}

void ProcessList::add(std::vector<Component>& comps, const probes::BpfTotals& t, uint64_t seq) {
  std::vector<Busy> busy;
  if (t.sched) busy = busy_from_bpf(t);
  scan_if_due(t, seq);
  if (!t.sched)
    for (const auto& e : scan_.entries())
      if (e.cpu_delta_s > 0) busy.push_back({e.stat.pid, e.cpu_delta_s, nullptr, {}, &e});
  std::sort(busy.begin(), busy.end(),
            [](const Busy& a, const Busy& b) { return a.cpu_s > b.cpu_s; });
  if (busy.size() > options_.max_processes) busy.resize(options_.max_processes);

  // A PID whose process exited may be reused: drop its reading first.
  for (const auto& e : t.exits) many_threaded_.erase(e.tgid);
  ManyThreadedMap many_threaded_now;
  std::unordered_set<uint32_t> listed;
  for (const auto& a : busy) {
    std::optional<Component> c = read_busy(a, seq, many_threaded_now);
    if (!c) continue;  // exited between the scan and now
    DeltaTracker::mark_unknown(*c);
    if (a.total) probes::add_sched_process_samples(*c, *a.total, a.delta);
    listed.insert(a.tgid);
    if (!a.scanned) read_since_scan_.insert(a.tgid);
    comps.push_back(std::move(*c));
  }
  many_threaded_.swap(many_threaded_now);  // processes not listed this time are forgotten
  if (listed.size() < options_.max_processes) add_idle(comps, listed);
  processes_.end_interval();
}

void ProcessList::add_idle(std::vector<Component>& comps,
                           const std::unordered_set<uint32_t>& listed) {
  std::vector<const ProcessScan::Entry*> idle;
  for (const auto& e : scan_.entries())
    if (!listed.count(e.stat.pid)) idle.push_back(&e);
  const size_t room = options_.max_processes - listed.size();
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
    if (read_since_scan_.count(e->stat.pid)) {
      c = collect::read_process(processes_, proc_root_, e->stat.pid, buf_);
    } else if (const auto* info =
                   processes_.lookup(e->stat.pid, e->stat.start_ticks, e->stat.comm)) {
      c = collect::ProcessResolver::make_component(*info, e->stat);
    }
    if (!c) continue;
    DeltaTracker::mark_unknown(*c);
    comps.push_back(std::move(*c));
  }
}

}  // namespace kpulse::engine
