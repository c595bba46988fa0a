#include "engine/process_list.h"

#include <algorithm>
#include <cmath>

#include "engine/delta_tracker.h"

namespace kpulse::engine {

using model::Component;
using model::MetricId;

namespace {

// Processes with at least this many threads have /proc/PID/stat read every
// kManyThreadsEvery intervals only (see read_busy).
constexpr double kManyThreads = 1000;
constexpr uint64_t kManyThreadsEvery = 5;

// With the sched group's marks, /proc is scanned for idle processes every
// this many intervals (marked ones are read every interval).
constexpr uint64_t kProcessScanEvery = 5;

// A kept /proc/PID/stat descriptor is closed once its process has gone
// unmarked for this many intervals (it sleeps; the next mark reopens it).
constexpr uint64_t kKeptStatIdleFor = 10;

}  // namespace

// Every process comes from /proc: each interval without the sched group's
// marks (its CPU time ranks them), every kProcessScanEvery intervals with
// them (the marked processes are read each interval; the scan only fills
// the list with idle ones, whose figures barely move meanwhile).
bool ProcessList::scan_if_due(const probes::BpfTotals& t, uint64_t seq) {
  for (const auto& e : t.exits) {
    scan_.forget(e.tgid);
    cpu_readings_.erase(e.tgid);
  }
  if (!t.ran_marks || scan_.scans() == 0 || seq - scan_seq_ >= kProcessScanEvery) {
    scan_.scan();
    scan_seq_ = seq;
    read_since_scan_.clear();
    if (t.ran_marks) {  // forget the readings of processes gone unnoticed
      std::unordered_map<uint32_t, CpuReading> live;
      for (const auto& e : scan_.entries())
        if (auto it = cpu_readings_.find(e.stat.pid); it != cpu_readings_.end()) live.emplace(*it);
      cpu_readings_.swap(live);
    }
    return true;
  }
  return false;
}

std::vector<ProcessList::Busy> ProcessList::busy_from_scan() {
  std::vector<Busy> busy;
  for (const auto& e : scan_.entries()) {
    if (e.cpu_delta_s <= 0) continue;
    if (const auto* info = processes_.lookup(e.stat))
      busy.push_back({e.stat.pid, e.cpu_delta_s,
                      collect::ProcessResolver::make_component(*info, e.stat), true});
  }
  return busy;
}

// /proc/PID/stat makes the kernel sum the CPU time of every thread of the
// process: ~3 ms for one with 10,000 threads, a third of the engine's
// budget. Such a process is re-read every kManyThreadsEvery intervals, its
// figures repeated in between.
std::optional<Component> ProcessList::read_marked(uint32_t tgid, uint64_t seq,
                                                  const ProcessScan::Entry* scanned,
                                                  ManyThreadedMap& kept) {
  std::optional<Component> c;
  if (scanned) {  // read moments ago by this interval's scan: no second read
    if (const auto* info = processes_.lookup(scanned->stat)) {
      c = collect::ProcessResolver::make_component(*info, scanned->stat);
      if (scanned->stat.threads >= kManyThreads) kept.emplace(tgid, ManyThreaded{*c, seq});
    }
    return c;
  }
  auto cached = many_threaded_.find(tgid);
  if (cached != many_threaded_.end() && seq - cached->second.read_at < kManyThreadsEvery) {
    c = cached->second.component;
    kept.emplace(tgid, std::move(cached->second));
    return c;
  }
  c = read_kept(tgid, seq);
  if (c && c->value(MetricId::ProcThreads) >= kManyThreads)
    kept.emplace(tgid, ManyThreaded{*c, seq});
  return c;  // nullopt: exited since (its exit record says what it did)
}

std::optional<Component> ProcessList::read_kept(uint32_t tgid, uint64_t seq) {
  KeptStat& kept = kept_stats_[tgid];
  kept.marked_at = seq;
  stat_path_.assign(proc_root_);
  stat_path_ += '/';
  stat_path_ += std::to_string(tgid);
  stat_path_ += "/stat";
  if (!kept.file.read(stat_path_, buf_, stat_budget_)) {
    kept_stats_.erase(tgid);
    return std::nullopt;  // exited since (its exit record says what it did)
  }
  const auto st = collect::parse_proc_stat(buf_);
  if (!st) return std::nullopt;
  const auto* info = processes_.lookup(*st);
  if (!info) return std::nullopt;
  return collect::ProcessResolver::make_component(*info, *st);
}

void ProcessList::forget_idle_kept_stats(uint64_t seq) {
  std::erase_if(kept_stats_,
                [seq](const auto& kv) { return seq - kv.second.marked_at > kKeptStatIdleFor; });
}

// The process's CPU time per interval since its previous reading (0 at the
// first one): a repeated reading keeps the rate measured at the last real one.
double ProcessList::cpu_this_interval(uint32_t tgid, const Component& c, uint64_t seq) {
  const double now = c.value(MetricId::ProcCpuTime);
  if (std::isnan(now)) return 0;
  auto [it, fresh] = cpu_readings_.try_emplace(tgid, CpuReading{now, seq});
  if (fresh) return 0;
  CpuReading& r = it->second;
  if (now == r.cpu_s && seq - r.seq < kManyThreadsEvery) return r.rate_s;
  r.rate_s = seq > r.seq && now >= r.cpu_s ? (now - r.cpu_s) / double(seq - r.seq) : 0;
  r.cpu_s = now;
  r.seq = seq;
  return r.rate_s;
}

std::vector<ProcessList::Busy> ProcessList::busy_from_marks(const probes::BpfTotals& t,
                                                            uint64_t seq, bool scanned,
                                                            ManyThreadedMap& kept) {
  std::unordered_map<uint32_t, const ProcessScan::Entry*> by_pid;
  if (scanned)
    for (const auto& e : scan_.entries()) by_pid.emplace(e.stat.pid, &e);
  std::vector<Busy> busy;
  busy.reserve(t.ran_tgids.size());
  for (uint32_t tgid : t.ran_tgids) {
    const ProcessScan::Entry* entry = nullptr;
    if (auto it = by_pid.find(tgid); it != by_pid.end()) entry = it->second;
    std::optional<Component> c = read_marked(tgid, seq, entry, kept);
    if (!c) continue;
    busy.push_back({tgid, cpu_this_interval(tgid, *c, seq), std::move(*c), entry != nullptr});
  }
  return busy;
}

void ProcessList::add(std::vector<Component>& comps, const probes::BpfTotals& t, uint64_t seq) {
  const bool scanned = scan_if_due(t, seq);
  // A PID whose process exited may be reused: drop its reading first.
  for (const auto& e : t.exits) {
    many_threaded_.erase(e.tgid);
    kept_stats_.erase(e.tgid);
  }
  ManyThreadedMap many_threaded_now;
  std::vector<Busy> busy =
      t.ran_marks ? busy_from_marks(t, seq, scanned, many_threaded_now) : busy_from_scan();
  std::sort(busy.begin(), busy.end(),
            [](const Busy& a, const Busy& b) { return a.cpu_s > b.cpu_s; });
  if (busy.size() > options_.max_processes) busy.resize(options_.max_processes);

  std::unordered_set<uint32_t> listed;
  for (auto& a : busy) {
    DeltaTracker::mark_unknown(a.component);
    listed.insert(a.tgid);
    if (!a.from_scan) read_since_scan_.insert(a.tgid);
    comps.push_back(std::move(a.component));
  }
  many_threaded_.swap(many_threaded_now);  // processes not marked this time are forgotten
  if (listed.size() < options_.max_processes) add_idle(comps, listed);
  forget_idle_kept_stats(seq);
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
                   // The scan's stat may be intervals old: a miss re-reads it.
               processes_.lookup(e->stat.pid, e->stat.start_ticks, e->stat.comm)) {
      c = collect::ProcessResolver::make_component(*info, e->stat);
    }
    if (!c) continue;
    DeltaTracker::mark_unknown(*c);
    comps.push_back(std::move(*c));
  }
}

}  // namespace kpulse::engine
