#include "collect/cgroup_stats.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <tuple>
#include <cmath>
#include <vector>

#include "collect/cgroup_resolver.h"
#include "collect/pressure.h"
#include "collect/text_file.h"

namespace kpulse::collect {

using model::MetricId;

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

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Calls fn(key, value) for each "key value" line of a flat-keyed file
// (cpu.stat, memory.events, v1 cpu.stat, memory.oom_control).
template <typename Fn>
void for_each_kv(std::string_view text, const std::string& file, Problems* problems, Fn fn) {
  std::vector<std::string_view> f;
  LineReader lines(text);
  std::string_view line;
  while (lines.next(line)) {
    split_ws(line, f);
    if (f.empty()) continue;
    std::optional<uint64_t> v;
    if (f.size() == 2) v = parse_u64(f[1]);
    if (!v) {
      report(problems, file, lines.line_no(), "expected 'key number'");
      continue;
    }
    fn(f[0], *v);
  }
}

// memory.stat: only the page-cache refaults are kept (nothing else there is
// in the catalog). v2's fields and v1's total_* ones cover the children too,
// as the limit they are charged against does. Before 5.9 there was a single
// "workingset_refault" (then only file pages had shadow entries).
void parse_refaults(std::string_view text, const std::string& file, std::string_view prefix,
                    model::Component& out, Problems* problems) {
  double file_refaults = model::kNaN, old_name = model::kNaN;
  for_each_kv(text, file, problems, [&](std::string_view k, uint64_t v) {
    if (!k.starts_with(prefix)) return;
    k.remove_prefix(prefix.size());
    if (k == "workingset_refault_file")
      file_refaults = static_cast<double>(v);
    else if (k == "workingset_refault")
      old_name = static_cast<double>(v);
  });
  const double refaults = std::isnan(file_refaults) ? old_name : file_refaults;
  if (!std::isnan(refaults)) out.set_counter(MetricId::CgMemRefaults, refaults, 0);
}

bool has(const model::Component& c, MetricId id) {
  return c.find(id) != nullptr;
}

// Files read every interval, kept open in an Entry's slots.
enum KeptSlot : int {
  kNotKept = -1,
  kCpuStat,
  kMemCurrent,
  kMemEvents,
  kMemStat,
  kPidsCurrent,
  kIoStat,
  kCpuPressure,
  kMemoryPressure,
  kIoPressure,
  kV1CpuacctUsage,
  kV1CpuStat,
  kV1MemUsage,
  kV1OomControl,
  kV1MemStat,
  kV1PidsCurrent,
  kV1BlkioBytes,
  kSlots
};

// v1 hierarchies the reader looks in.
enum V1Controller : int { kCpuacct, kCpu, kMemory, kPids, kBlkio, kV1Controllers };
constexpr const char* kV1Names[kV1Controllers] = {"cpuacct", "cpu", "memory", "pids", "blkio"};

// Spreads cgroups' periodic re-reads over the period, so that a thousand
// cgroups created together do not all re-read on the same interval.
uint64_t phase_of(std::string_view path, unsigned every) {
  return every > 1 ? std::hash<std::string_view>{}(path) % every : 0;
}

// Appends `samples` (remembered from an earlier read) to `out`.
void repeat(const std::vector<model::Sample>& samples, model::Component& out) {
  out.samples.insert(out.samples.end(), samples.begin(), samples.end());
}

}  // namespace

struct CgroupStatsReader::Entry {
  uint64_t identity = 0;
  uint64_t seen = 0;  // interval of the last read
  // Interval of the last check of the layout (controllers, v1 hierarchies)
  // and of the last read of limits / counters; nullopt: never.
  std::optional<uint64_t> layout_at, limits_at, counters_at, cpu_at;
  double cpu_usage = model::kNaN;  // at the last read, to tell idle cgroups
  bool in_v2 = false;              // the last CPU read found it in the cgroup2 tree
  bool cpu_calm = false;           // that read's cpu.pressure some avg10 was 0
  // v2 controllers enabled on the cgroup (cgroup.controllers, checked with the layout).
  bool cpu = true, memory = true, pids = true, io = true;
  // The cgroup's directory in each v1 hierarchy, "" when it has none there
  // (checked with the layout).
  std::array<std::string, kV1Controllers> v1_dirs;
  bool reopened = false;  // a kept file failed during this read
  std::array<KeptFile, kSlots> kept;
  // Values of the last read, repeated while the group is not due.
  std::vector<model::Sample> cpu_values, cpu_psi, counters, limits;
  // memory.pressure and io.pressure (CgroupStatsOptions::quiet_pressure_every):
  // when they were last read, whether that reading showed no recent stall,
  // whether a stall cause was reported since, and the values.
  std::optional<uint64_t> stall_psi_at;
  bool stall_psi_calm = false;
  bool stall_cause_seen = true;
  std::vector<model::Sample> stall_psi;
};

CgroupStatsReader::CgroupStatsReader(CgroupLayout layout, CgroupStatsOptions options)
    : layout_(std::move(layout)), options_(options), budget_(options.kept_fds) {}

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

bool CgroupStatsReader::read(std::string_view path, model::Component& out, Problems* problems,
                             CgroupActivity activity, bool stall_quiet) {
  auto& slot = entries_[std::string(path)];
  if (!slot || slot->identity != out.kernel_id) {
    slot = std::make_unique<Entry>();  // a new cgroup: forget the old one's files and values
    slot->identity = out.kernel_id;
  }
  Entry& e = *slot;
  e.seen = interval_;
  const bool watched_idle =
      activity == CgroupActivity::Idle || activity == CgroupActivity::CpuMoved;
  e.stall_cause_seen |= !stall_quiet || !watched_idle;
  cpu_read_ = false;
  auto due = [&](const std::optional<uint64_t>& at, unsigned every) {
    return !at || interval_ - *at >= every;
  };
  bool layout = due(e.layout_at, options_.layout_every);
  bool limits = layout || due(e.limits_at, options_.limits_every);
  bool counters = activity == CgroupActivity::Busy || due(e.counters_at, options_.idle_every);
  // An Idle cgroup's CPU figures moved less than the caller's bar since they
  // were last read (CgroupStatsOptions::idle_cpu_every); a non-zero
  // cpu.pressure average decays without activity, so it is re-read with the
  // counters until it reads 0.
  const bool cpu = activity != CgroupActivity::Idle || layout ||
                   due(e.cpu_at, options_.idle_cpu_every) || (counters && !e.cpu_calm);
  if (activity == CgroupActivity::Idle && !counters && !limits && !cpu) {
    // Nothing due: the last values stand. A cgroup removed meanwhile is
    // noticed at its next due read, or when the caller's walk no longer
    // lists it (it then passes another id or activity).
    repeat(e.cpu_values, out);
    repeat(e.cpu_psi, out);
    repeat(e.counters, out);
    repeat(e.limits, out);
    return true;
  }

  // CPU usage first: the main counter, and (activity unknown) what tells
  // an idle cgroup. Without a CPU read the cgroup counts as where it was at
  // the last one.
  const size_t cpu_first = out.samples.size();
  bool v2 = false;
  std::string dir;
  if (!layout_.v2_root.empty()) {
    dir = join_path(layout_.v2_root, path);
    if (!cpu) {
      v2 = e.in_v2;
    } else if (fetch(dir, "cpu.stat", e, kCpuStat)) {
      v2 = true;
      read_cpu_stat(buf_, path_, out, problems);
    } else {
      v2 = is_dir(dir);  // an old kernel or a fixture without cpu.stat
    }
    e.in_v2 = v2;
    if (e.reopened) layout = limits = true;  // recreated under the same path: nothing holds
  }
  // Where the cgroup sits in the v1 hierarchies, with the layout; also now
  // when it has gone from v2 (it may remain in v1 only, or be gone everywhere).
  bool v1 = false;
  if (!layout_.v1.empty()) {
    if (layout || (!v2 && !layout_.v2_root.empty())) probe_v1(path, e);
    for (const auto& d : e.v1_dirs) v1 |= !d.empty();
  }
  if (!v2 && !v1) {
    entries_.erase(std::string(path));  // closes its files
    return false;
  }
  if (layout) {
    counters = true;  // controllers may have changed: read everything
    if (v2) read_controllers(dir, e);
    e.layout_at = interval_ - (e.layout_at ? 0 : phase_of(path, options_.layout_every));
  }

  if (cpu) {
    const std::string& cpuacct = e.v1_dirs[kCpuacct];
    if (!cpuacct.empty() && !has(out, MetricId::CgCpuUsage) &&
        fetch(cpuacct, "cpuacct.usage", e, kV1CpuacctUsage))
      if (auto v = parse_u64(buf_))
        out.set_counter(MetricId::CgCpuUsage, static_cast<double>(*v) / 1e9, 0);
    e.cpu_values.assign(out.samples.begin() + cpu_first, out.samples.end());
    e.cpu_at = interval_ - (e.cpu_at ? 0 : phase_of(path, options_.idle_cpu_every));
    cpu_read_ = true;
  } else {
    repeat(e.cpu_values, out);
  }
  const double usage = out.value(MetricId::CgCpuUsage);
  // NaN (no usage file) never compares equal: such a cgroup is never idle.
  if (activity == CgroupActivity::Unknown && !(usage == e.cpu_usage)) counters = true;
  e.cpu_usage = usage;
  // cpu.pressure goes with the CPU figures where the caller watches (run-queue
  // waits below its busy bar still move it), else with the counters.
  if (v2 && (activity == CgroupActivity::Unknown ? counters : cpu)) {
    const size_t first = out.samples.size();
    if (fetch(dir, "cpu.pressure", e, kCpuPressure))
      parse_pressure(buf_, PsiResource::Cpu, out, path_, problems);
    e.cpu_psi.assign(out.samples.begin() + first, out.samples.end());
    // A missing file (no PSI) reads as NaN, never calm.
    e.cpu_calm = out.value(MetricId::PsiCpuSomeAvg10) == 0;
  } else {
    repeat(e.cpu_psi, out);
  }

  if (counters) {
    const size_t first = out.samples.size();
    if (v2) read_v2_counters(dir, e, out, problems);
    read_v1_counters(e, out, problems);
    e.counters.assign(out.samples.begin() + first, out.samples.end());
    e.counters_at = interval_ - (e.counters_at ? 0 : phase_of(path, options_.idle_every));
  } else {
    repeat(e.counters, out);
  }
  if (limits) {
    const size_t first = out.samples.size();
    if (v2) read_v2_limits(dir, e, out, problems);
    read_v1_limits(e, out, problems);
    e.limits.assign(out.samples.begin() + first, out.samples.end());
    e.limits_at = interval_ - (e.limits_at ? 0 : phase_of(path, options_.limits_every));
  } else {
    repeat(e.limits, out);
  }
  // memory.stat, after the limits: only where a memory limit is set. It is the
  // costliest cgroup file (the kernel formats ~50 counters: 2.7 us a pread on
  // this host against 0.3 for memory.usage_in_bytes), and refaults matter
  // against a limit; an unlimited child's show in its limited ancestor's count.
  if (counters && (has(out, MetricId::CgMemHigh) || has(out, MetricId::CgMemMax))) {
    const size_t first = out.samples.size();
    const std::string& mem = e.v1_dirs[kMemory];
    if (v2 && e.memory && fetch(dir, "memory.stat", e, kMemStat))
      parse_refaults(buf_, path_, "", out, problems);
    else if (!mem.empty() && fetch(mem, "memory.stat", e, kV1MemStat))
      parse_refaults(buf_, path_, "total_", out, problems);
    e.counters.insert(e.counters.end(), out.samples.begin() + first, out.samples.end());
  }
  if (e.reopened) {
    ++recreated_;
    e.reopened = false;
  }
  return true;
}

void CgroupStatsReader::end_interval() {
  ++interval_;
  for (auto it = entries_.begin(); it != entries_.end();)
    it = it->second->seen + 1 < interval_ ? entries_.erase(it) : std::next(it);
}

void CgroupStatsReader::probe_v1(std::string_view path, Entry& e) {
  for (int c = 0; c < kV1Controllers; ++c) {
    std::string base = layout_.v1_dir(kV1Names[c]);
    std::string d = base.empty() ? std::string() : join_path(base, path);
    if (!d.empty() && !is_dir(d)) d.clear();
    if (d != e.v1_dirs[c]) {
      // Moved in or out of a hierarchy: its kept files belong to the old state.
      for (int s = kV1CpuacctUsage; s <= kV1BlkioBytes; ++s) e.kept[s].close();
      e.v1_dirs[c] = std::move(d);
    }
  }
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

void CgroupStatsReader::read_cpu_stat(std::string_view text, const std::string& file,
                                      model::Component& out, Problems* problems) {
  for_each_kv(text, file, problems, [&](std::string_view k, uint64_t v) {
    const double d = static_cast<double>(v);
    if (k == "usage_usec")
      out.set_counter(MetricId::CgCpuUsage, d / 1e6, 0);
    else if (k == "nr_periods")
      out.set_counter(MetricId::CgCpuPeriods, d, 0);
    else if (k == "nr_throttled")
      out.set_counter(MetricId::CgCpuThrottledPeriods, d, 0);
    else if (k == "throttled_usec")
      out.set_counter(MetricId::CgCpuThrottledTime, d / 1e6, 0);
  });
}

void CgroupStatsReader::read_v2_counters(const std::string& dir, Entry& e, model::Component& out,
                                         Problems* problems) {
  if (e.memory) {
    if (fetch(dir, "memory.current", e, kMemCurrent))
      if (auto v = parse_u64(buf_)) out.set_gauge(MetricId::CgMemCurrent, static_cast<double>(*v));
    if (fetch(dir, "memory.events", e, kMemEvents)) {
      for_each_kv(buf_, path_, problems, [&](std::string_view k, uint64_t v) {
        if (k == "oom_kill") out.set_counter(MetricId::MemOomKills, static_cast<double>(v), 0);
      });
    }
  }

  if (e.pids && fetch(dir, "pids.current", e, kPidsCurrent))
    if (auto v = parse_u64(buf_)) out.set_gauge(MetricId::CgPids, static_cast<double>(*v));

  // io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device.
  if (e.io && fetch(dir, "io.stat", e, kIoStat)) {
    double rbytes = 0, wbytes = 0;
    std::vector<std::string_view> f;
    LineReader lines(buf_);
    std::string_view line;
    while (lines.next(line)) {
      split_ws(line, f);
      for (size_t i = 1; i < f.size(); ++i) {
        auto eq = f[i].find('=');
        if (eq == std::string_view::npos) continue;
        auto key = f[i].substr(0, eq);
        if (key != "rbytes" && key != "wbytes") continue;
        auto v = parse_u64(f[i].substr(eq + 1));
        if (!v) {
          report(problems, path_, lines.line_no(), "bad number");
          continue;
        }
        (key == "rbytes" ? rbytes : wbytes) += static_cast<double>(*v);
      }
    }
    out.set_counter(MetricId::CgIoReadBytes, rbytes, 0);
    out.set_counter(MetricId::CgIoWriteBytes, wbytes, 0);
  }

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
  if (e.cpu && fetch(dir, "cpu.max", e, kNotKept)) {
    std::vector<std::string_view> f;
    split_ws(trim(buf_), f);
    if (f.size() != 2) {
      report(problems, path_, 1, "expected '<quota|max> <period>'");
    } else if (f[0] != "max") {
      auto quota = parse_u64(f[0]), period = parse_u64(f[1]);
      if (quota && period && *period > 0)
        out.set_gauge(MetricId::CgCpuQuota,
                      static_cast<double>(*quota) / static_cast<double>(*period));
      else
        report(problems, path_, 1, "bad quota or period");
    }
  }

  if (e.cpu && fetch(dir, "cpu.weight", e, kNotKept))
    if (auto w = parse_u64(buf_)) out.set_gauge(MetricId::CgCpuWeight, static_cast<double>(*w));

  if (e.memory) {
    // A number or "max"; "max" (and, when absent_when_zero, 0) leave the
    // metric absent.
    auto limit = [&](const char* name, MetricId id, bool absent_when_zero) {
      if (!fetch(dir, name, e, kNotKept)) return;
      auto t = trim(buf_);
      if (t == "max") return;
      auto v = parse_u64(t);
      if (!v) {
        report(problems, path_, 1, "expected a number or 'max'");
        return;
      }
      if (absent_when_zero && *v == 0) return;
      out.set_gauge(id, static_cast<double>(*v));
    };
    limit("memory.min", MetricId::CgMemMin, true);
    limit("memory.low", MetricId::CgMemLow, true);
    limit("memory.high", MetricId::CgMemHigh, false);
    limit("memory.max", MetricId::CgMemMax, false);
  }
}

void CgroupStatsReader::read_v1_counters(Entry& e, model::Component& out, Problems* problems) {
  const std::string& cpu = e.v1_dirs[kCpu];
  if (!cpu.empty() && !has(out, MetricId::CgCpuPeriods) && fetch(cpu, "cpu.stat", e, kV1CpuStat)) {
    for_each_kv(buf_, path_, problems, [&](std::string_view k, uint64_t v) {
      const double x = static_cast<double>(v);
      if (k == "nr_periods")
        out.set_counter(MetricId::CgCpuPeriods, x, 0);
      else if (k == "nr_throttled")
        out.set_counter(MetricId::CgCpuThrottledPeriods, x, 0);
      else if (k == "throttled_time")
        out.set_counter(MetricId::CgCpuThrottledTime, x / 1e9, 0);
    });
  }

  if (const std::string& mem = e.v1_dirs[kMemory]; !mem.empty()) {
    if (!has(out, MetricId::CgMemCurrent) && fetch(mem, "memory.usage_in_bytes", e, kV1MemUsage))
      if (auto v = parse_u64(buf_)) out.set_gauge(MetricId::CgMemCurrent, static_cast<double>(*v));
    if (!has(out, MetricId::MemOomKills) && fetch(mem, "memory.oom_control", e, kV1OomControl)) {
      for_each_kv(buf_, path_, problems, [&](std::string_view k, uint64_t v) {
        if (k == "oom_kill") out.set_counter(MetricId::MemOomKills, static_cast<double>(v), 0);
      });
    }
  }

  if (const std::string& pids = e.v1_dirs[kPids]; !pids.empty() && !has(out, MetricId::CgPids) &&
                                                  fetch(pids, "pids.current", e, kV1PidsCurrent))
    if (auto v = parse_u64(buf_)) out.set_gauge(MetricId::CgPids, static_cast<double>(*v));

  // blkio.throttle.io_service_bytes: "8:0 Read 4096" ... "Total 123". The
  // throttle file counts every bio (the non-throttle one only CFQ/BFQ I/O).
  if (const std::string& blkio = e.v1_dirs[kBlkio];
      !blkio.empty() && !has(out, MetricId::CgIoReadBytes) &&
      fetch(blkio, "blkio.throttle.io_service_bytes", e, kV1BlkioBytes)) {
    double r = 0, w = 0;
    std::vector<std::string_view> f;
    LineReader lines(buf_);
    std::string_view line;
    while (lines.next(line)) {
      split_ws(line, f);
      if (f.size() != 3) continue;  // "Total N" and blank lines
      if (f[1] != "Read" && f[1] != "Write") continue;
      auto v = parse_u64(f[2]);
      if (!v) {
        report(problems, path_, lines.line_no(), "bad number");
        continue;
      }
      (f[1] == "Read" ? r : w) += static_cast<double>(*v);
    }
    out.set_counter(MetricId::CgIoReadBytes, r, 0);
    out.set_counter(MetricId::CgIoWriteBytes, w, 0);
  }
}

void CgroupStatsReader::read_v1_limits(Entry& e, model::Component& out, Problems* /*problems*/) {
  if (const std::string& cpu = e.v1_dirs[kCpu]; !cpu.empty()) {
    if (!has(out, MetricId::CgCpuQuota)) {
      // cfs_quota_us is -1 when unlimited: "-1" fails to parse, so no quota.
      std::optional<uint64_t> quota, period;
      if (fetch(cpu, "cpu.cfs_quota_us", e, kNotKept)) quota = parse_u64(buf_);
      if (quota && fetch(cpu, "cpu.cfs_period_us", e, kNotKept)) period = parse_u64(buf_);
      if (quota && period && *period > 0)
        out.set_gauge(MetricId::CgCpuQuota,
                      static_cast<double>(*quota) / static_cast<double>(*period));
    }
    if (!has(out, MetricId::CgCpuWeight) && fetch(cpu, "cpu.shares", e, kNotKept))
      if (auto s = parse_u64(buf_)) out.set_gauge(MetricId::CgCpuWeight, cpu_shares_to_weight(*s));
  }

  if (const std::string& mem = e.v1_dirs[kMemory]; !mem.empty()) {
    if (!has(out, MetricId::CgMemMax) && fetch(mem, "memory.limit_in_bytes", e, kNotKept))
      if (auto v = parse_u64(buf_); v && *v < kV1UnlimitedThreshold)
        out.set_gauge(MetricId::CgMemMax, static_cast<double>(*v));
    // The soft limit is v1's best-effort protection, the closest to memory.low
    // (container runtimes map one to the other).
    if (!has(out, MetricId::CgMemLow) && fetch(mem, "memory.soft_limit_in_bytes", e, kNotKept))
      if (auto v = parse_u64(buf_); v && *v > 0 && *v < kV1UnlimitedThreshold)
        out.set_gauge(MetricId::CgMemLow, static_cast<double>(*v));
  }
}

}  // namespace kpulse::collect
