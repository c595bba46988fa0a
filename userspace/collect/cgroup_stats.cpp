#include "collect/cgroup_stats.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <tuple>
#include <vector>

#include "collect/cgroup_files.h"
#include "collect/cgroup_resolver.h"
#include "collect/cgroup_stats_entry.h"
#include "collect/pressure.h"
#include "collect/text_file.h"

namespace kpulse::collect {

using model::MetricId;
using namespace cgroup_stats_detail;  // the reader's private names (cgroup_stats_entry.h)

model::Component make_cgroup_component(std::string_view path, uint64_t cgroup_id) {
  model::Component c;
  c.kind = model::ComponentKind::Cgroup;
  c.id = std::string(path);
  c.name = cgroup_leaf(path);
  c.parent = cgroup_parent(path);
  c.kernel_id = cgroup_id;
  return c;
}

double cpu_shares_to_weight(uint64_t shares) {
  double w = std::round(static_cast<double>(shares) * 100.0 / 1024.0);
  return std::clamp(w, 1.0, 10000.0);
}

namespace {

// Spreads cgroups' periodic re-reads over the period, so that a thousand
// cgroups created together do not all re-read on the same interval.
uint64_t phase_of(std::string_view path, unsigned every) {
  return every > 1 ? std::hash<std::string_view>{}(path) % every : 0;
}

// Appends `samples` (remembered from an earlier read) to `out`.
void repeat(const std::vector<model::Sample>& samples, model::Component& out) {
  out.samples.insert(out.samples.end(), samples.begin(), samples.end());
}

// A group of figures read afresh when `due` (read() appends them to `out`,
// and they are remembered in `kept`), else its remembered values repeated.
template <typename Read>
void fresh_or_repeat(bool due, std::vector<model::Sample>& kept, model::Component& out, Read read) {
  if (!due) {
    repeat(kept, out);
    return;
  }
  const size_t first = out.samples.size();
  read();
  kept.assign(out.samples.begin() + static_cast<std::ptrdiff_t>(first), out.samples.end());
}

}  // namespace

CgroupStatsReader::CgroupStatsReader(CgroupLayout layout, CgroupStatsOptions options)
    : layout_(std::move(layout)), options_(options), budget_(options.kept_fds) {
  static_assert(std::tuple_size_v<decltype(v1_bases_)> == kV1Controllers);
  for (int c = 0; c < kV1Controllers; ++c) v1_bases_[c] = layout_.v1_dir(kV1Names[c]);
}

CgroupStatsReader::~CgroupStatsReader() = default;

bool CgroupStatsReader::fetch(const std::string& dir, const char* name, Entry& e, int kept_slot) {
  path_.assign(dir);
  path_ += '/';
  path_ += name;
  if (kept_slot == kNotKept) return read_file(path_, buf_);
  bool reopened = false;
  const bool ok = e.kept[kept_slot].read(path_, buf_, budget_, &reopened);
  e.reopened |= reopened;
  return ok;
}

CgroupStatsReader::Entry& CgroupStatsReader::entry_for(std::string_view path, uint64_t identity) {
  // Found by the view: no key string made per cgroup and interval.
  auto it = entries_.find(path);
  if (it == entries_.end()) it = entries_.emplace(std::string(path), nullptr).first;
  auto& slot = it->second;
  if (!slot || slot->identity != identity) {
    slot = std::make_unique<Entry>();  // a new cgroup: forget the old one's files and values
    slot->identity = identity;
  }
  return *slot;
}

CgroupStatsReader::Due CgroupStatsReader::due_now(const Entry& e, CgroupActivity activity) const {
  auto due = [&](const std::optional<uint64_t>& at, unsigned every) {
    return !at || interval_ - *at >= every;
  };
  Due d;
  d.layout = due(e.layout_at, options_.layout_every);
  d.limits = d.layout || due(e.limits_at, options_.limits_every);
  d.counters = activity == CgroupActivity::Busy || due(e.counters_at, options_.idle_every);
  // An Idle cgroup's CPU figures moved less than the caller's bar since they
  // were last read (CgroupStatsOptions::idle_cpu_every); a non-zero
  // cpu.pressure average decays without activity, so it is re-read with the
  // counters until it reads 0.
  d.cpu = activity != CgroupActivity::Idle || d.layout || due(e.cpu_at, options_.idle_cpu_every) ||
          (d.counters && !e.cpu_calm);
  return d;
}

// The read period's start: now, shifted back by the cgroup's phase on its
// first read.
uint64_t CgroupStatsReader::read_at(const std::optional<uint64_t>& last, std::string_view path,
                                    unsigned every) const {
  return interval_ - (last ? 0 : phase_of(path, every));
}

std::optional<bool> CgroupStatsReader::locate(std::string_view path, Entry& e, Due& due,
                                              model::Component& out, Problems* problems) {
  // CPU usage first: the main counter, and (activity unknown) what tells
  // an idle cgroup. Without a CPU read the cgroup counts as where it was at
  // the last one.
  bool v2 = false;
  dir_.clear();
  if (!layout_.v2_root.empty()) {
    dir_ = join_path(layout_.v2_root, path);
    if (!due.cpu) {
      v2 = e.in_v2;
    } else if (fetch(dir_, "cpu.stat", e, kCpuStat)) {
      v2 = true;
      parse_cpu_stat_v2(buf_, path_, out, problems);
    } else {
      v2 = is_dir(dir_);  // an old kernel or a fixture without cpu.stat
    }
    e.in_v2 = v2;
    if (e.reopened) due.layout = due.limits = true;  // recreated under the same path: nothing holds
  }
  // Where the cgroup sits in the v1 hierarchies, with the layout; also now
  // when it has gone from v2 (it may remain in v1 only, or be gone everywhere).
  bool v1 = false;
  if (!layout_.v1.empty()) {
    // A new walk of the v1 hierarchies may have seen the cgroup come or go.
    const bool walked = v1_tree_ && v1_tree_->walk != e.v1_walk;
    if ((due.layout || walked || (!v2 && !layout_.v2_root.empty())) && probe_v1(path, e))
      due.layout = due.limits = true;  // its controllers changed: read it all afresh
    for (const auto& d : e.v1_dirs) v1 |= !d.empty();
  }
  if (!v2 && !v1) return std::nullopt;
  if (due.layout) {
    due.counters = true;  // controllers may have changed: read everything
    if (v2) read_controllers(dir_, e);
    e.layout_at = read_at(e.layout_at, path, options_.layout_every);
  }
  return v2;
}

bool CgroupStatsReader::read(std::string_view path, model::Component& out, Problems* problems,
                             CgroupActivity activity, bool stall_quiet, bool cpu_wait_quiet) {
  Entry& e = entry_for(path, out.kernel_id);
  e.seen = interval_;
  const bool watched_idle =
      activity == CgroupActivity::Idle || activity == CgroupActivity::CpuMoved;
  e.stall_cause_seen |= !stall_quiet || !watched_idle;
  cpu_read_ = cpu_psi_read_ = false;
  Due due = due_now(e, activity);
  if (activity == CgroupActivity::Idle && !due.counters && !due.limits && !due.cpu) {
    // Nothing due: the last values stand. A cgroup removed meanwhile is
    // noticed at its next due read, or when the caller's walk no longer
    // lists it (it then passes another id or activity).
    for (const auto* kept : {&e.cpu_values, &e.cpu_psi, &e.counters, &e.limits}) repeat(*kept, out);
    return true;
  }

  const size_t cpu_first = out.samples.size();
  const std::optional<bool> in_v2 = locate(path, e, due, out, problems);
  if (!in_v2) {
    entries_.erase(std::string(path));  // closes its files
    return false;
  }
  const bool v2 = *in_v2;
  if (due.cpu) {
    read_v1_cpu_usage(e, out);
    e.cpu_values.assign(out.samples.begin() + cpu_first, out.samples.end());
    e.cpu_at = read_at(e.cpu_at, path, options_.idle_cpu_every);
    cpu_read_ = true;
  } else {
    repeat(e.cpu_values, out);
  }
  const double usage = out.value(MetricId::CgCpuUsage);
  // NaN (no usage file) never compares equal: such a cgroup is never idle.
  if (activity == CgroupActivity::Unknown && !(usage == e.cpu_usage)) due.counters = true;
  e.cpu_usage = usage;
  // cpu.pressure goes with the CPU figures where the caller watches (run-queue
  // waits below its busy bar still move it), else with the counters; a calm
  // one is repeated while the caller saw next to no waiting since its read.
  const bool watched = activity != CgroupActivity::Unknown;
  const bool cpu_psi_still = watched && cpu_wait_quiet && e.cpu_calm && !due.layout &&
                             e.cpu_psi_at && interval_ - *e.cpu_psi_at < options_.idle_cpu_every;
  fresh_or_repeat(v2 && (watched ? due.cpu && !cpu_psi_still : due.counters), e.cpu_psi, out, [&] {
    if (fetch(dir_, "cpu.pressure", e, kCpuPressure))
      parse_pressure(buf_, PsiResource::Cpu, out, path_, problems);
    // A missing file (no PSI) reads as NaN, never calm.
    e.cpu_calm = out.value(MetricId::PsiCpuSomeAvg10) == 0;
    e.cpu_psi_at = interval_;
    cpu_psi_read_ = true;
  });
  fresh_or_repeat(due.counters, e.counters, out, [&] {
    if (v2) read_v2_counters(dir_, e, out, problems);
    read_v1_counters(e, out, problems);
    e.counters_at = read_at(e.counters_at, path, options_.idle_every);
  });
  fresh_or_repeat(due.limits, e.limits, out, [&] {
    if (v2) read_v2_limits(dir_, e, out, problems);
    read_v1_limits(e, out, problems);
    e.limits_at = read_at(e.limits_at, path, options_.limits_every);
  });
  if (due.counters) read_memory_stat(v2, e, out, problems);
  if (e.reopened) {
    ++recreated_;
    e.reopened = false;
  }
  return true;
}

// memory.stat, after the limits: only where a memory limit is set. It is the
// costliest cgroup file (the kernel formats ~50 counters: 2.7 us a pread on
// this host against 0.3 for memory.usage_in_bytes), and refaults matter
// against a limit; an unlimited child's show in its limited ancestor's count.
void CgroupStatsReader::read_memory_stat(bool v2, Entry& e, model::Component& out,
                                         Problems* problems) {
  if (!has(out, MetricId::CgMemHigh) && !has(out, MetricId::CgMemMax)) return;
  const size_t first = out.samples.size();
  const std::string& mem = e.v1_dirs[kMemory];
  if (v2 && e.memory && fetch(dir_, "memory.stat", e, kMemStat))
    parse_refaults(buf_, path_, "", out, problems);
  else if (!mem.empty() && fetch(mem, "memory.stat", e, kV1MemStat))
    parse_refaults(buf_, path_, "total_", out, problems);
  e.counters.insert(e.counters.end(), out.samples.begin() + first, out.samples.end());
}

void CgroupStatsReader::end_interval() {
  ++interval_;
  for (auto it = entries_.begin(); it != entries_.end();)
    it = it->second->seen + 1 < interval_ ? entries_.erase(it) : std::next(it);
}

// Controller files exist only for controllers enabled on this cgroup; on
// hybrid hosts none are, so checking cgroup.controllers saves about a dozen
// failing opens per cgroup. No file (an old kernel or a fixture without it):
// try everything.
void CgroupStatsReader::read_controllers(const std::string& dir, Entry& e) {
  e.cpu = e.memory = e.pids = e.io = true;
  if (!fetch(dir, "cgroup.controllers", e, kNotKept)) return;
  e.cpu = e.memory = e.pids = e.io = false;
  std::vector<std::string_view> names;
  split_ws(trim(buf_), names);
  for (auto n : names) {
    e.cpu |= n == "cpu";
    e.memory |= n == "memory";
    e.pids |= n == "pids";
    e.io |= n == "io";
  }
}

void CgroupStatsReader::read_v2_counters(const std::string& dir, Entry& e, model::Component& out,
                                         Problems* problems) {
  if (e.memory) {
    if (fetch(dir, "memory.current", e, kMemCurrent))
      if (auto v = parse_u64(buf_)) out.set_gauge(MetricId::CgMemCurrent, static_cast<double>(*v));
    if (fetch(dir, "memory.events", e, kMemEvents)) parse_oom_kills(buf_, path_, out, problems);
  }

  if (e.pids && fetch(dir, "pids.current", e, kPidsCurrent))
    if (auto v = parse_u64(buf_)) out.set_gauge(MetricId::CgPids, static_cast<double>(*v));

  if (e.io && fetch(dir, "io.stat", e, kIoStat)) parse_io_stat(buf_, path_, out, problems);

  static constexpr std::tuple<const char*, PsiResource, KeptSlot> kStallPsi[] = {
      {"memory.pressure", PsiResource::Memory, kMemoryPressure},
      {"io.pressure", PsiResource::Io, kIoPressure}};
  const bool reuse_stall_psi = e.stall_psi_at && e.stall_psi_calm && !e.stall_cause_seen &&
                               interval_ - *e.stall_psi_at < options_.quiet_pressure_every;
  const size_t stall_first = out.samples.size();
  if (!reuse_stall_psi)
    for (const auto& [name, res, slot] : kStallPsi)
      if (fetch(dir, name, e, slot)) parse_pressure(buf_, res, out, path_, problems);
  if (reuse_stall_psi) {
    repeat(e.stall_psi, out);
    return;
  }
  e.stall_psi.assign(out.samples.begin() + stall_first, out.samples.end());
  // A missing file (no PSI) reads as NaN, never calm: re-read as before.
  e.stall_psi_calm =
      out.value(MetricId::PsiMemorySomeAvg10) == 0 && out.value(MetricId::PsiIoSomeAvg10) == 0;
  e.stall_cause_seen = false;
  // No phase of its own: it is read along with the counters, whose idle
  // re-reads are spread already.
  e.stall_psi_at = interval_;
}

void CgroupStatsReader::read_v2_limits(const std::string& dir, Entry& e, model::Component& out,
                                       Problems* problems) {
  if (e.cpu && fetch(dir, "cpu.max", e, kNotKept)) parse_cpu_max(buf_, path_, out, problems);

  if (e.cpu && fetch(dir, "cpu.weight", e, kNotKept))
    if (auto w = parse_u64(buf_)) out.set_gauge(MetricId::CgCpuWeight, static_cast<double>(*w));

  if (e.memory) {
    auto limit = [&](const char* name, MetricId id, bool absent_when_zero) {
      if (fetch(dir, name, e, kNotKept))
        parse_memory_limit(buf_, path_, id, absent_when_zero, out, problems);
    };
    limit("memory.min", MetricId::CgMemMin, true);
    limit("memory.low", MetricId::CgMemLow, true);
    limit("memory.high", MetricId::CgMemHigh, false);
    limit("memory.max", MetricId::CgMemMax, false);
  }
}

}  // namespace kpulse::collect
