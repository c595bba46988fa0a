// CgroupStatsReader's v1 side: where a cgroup sits in the v1 hierarchies
// and the v1 files that fill what cgroup2 did not provide (hybrid and
// v1-only hosts).
#include <optional>
#include <string>

#include "collect/cgroup_files.h"
#include "collect/cgroup_resolver.h"
#include "collect/cgroup_stats.h"
#include "collect/cgroup_stats_entry.h"
#include "collect/text_file.h"

namespace kpulse::collect {

using model::MetricId;
using namespace cgroup_stats_detail;  // the reader's private names (cgroup_stats_entry.h)

bool CgroupStatsReader::probe_v1(std::string_view path, Entry& e) {
  bool changed = false;
  if (v1_tree_) e.v1_walk = v1_tree_->walk;
  for (int c = 0; c < kV1Controllers; ++c) {
    const std::string& base = v1_bases_[c];
    std::optional<bool> there;
    if (!base.empty() && v1_tree_) there = v1_tree_->holds(base, path);
    std::string d = base.empty() || there == false ? std::string() : join_path(base, path);
    if (!d.empty() && !there && !is_dir(d)) d.clear();
    if (d != e.v1_dirs[c]) {
      // Moved in or out of a hierarchy: its kept files belong to the old state.
      for (int s = kV1CpuacctUsage; s <= kV1BlkioBytes; ++s) e.kept[s].close();
      e.v1_dirs[c] = std::move(d);
      changed = true;
    }
  }
  return changed;
}

void CgroupStatsReader::read_v1_cpu_usage(Entry& e, model::Component& out) {
  const std::string& cpuacct = e.v1_dirs[kCpuacct];
  if (!cpuacct.empty() && !has(out, MetricId::CgCpuUsage) &&
      fetch(cpuacct, "cpuacct.usage", e, kV1CpuacctUsage))
    if (auto v = parse_u64(buf_))
      out.set_counter(MetricId::CgCpuUsage, static_cast<double>(*v) / 1e9, 0);
}

void CgroupStatsReader::read_v1_counters(Entry& e, model::Component& out, Problems* problems) {
  const std::string& cpu = e.v1_dirs[kCpu];
  if (!cpu.empty() && !has(out, MetricId::CgCpuPeriods) && fetch(cpu, "cpu.stat", e, kV1CpuStat))
    parse_cpu_stat_v1(buf_, path_, out, problems);

  if (const std::string& mem = e.v1_dirs[kMemory]; !mem.empty()) {
    if (!has(out, MetricId::CgMemCurrent) && fetch(mem, "memory.usage_in_bytes", e, kV1MemUsage))
      if (auto v = parse_u64(buf_)) out.set_gauge(MetricId::CgMemCurrent, static_cast<double>(*v));
    if (!has(out, MetricId::MemOomKills) && fetch(mem, "memory.oom_control", e, kV1OomControl))
      parse_oom_kills(buf_, path_, out, problems);
  }

  if (const std::string& pids = e.v1_dirs[kPids]; !pids.empty() && !has(out, MetricId::CgPids) &&
                                                  fetch(pids, "pids.current", e, kV1PidsCurrent))
    if (auto v = parse_u64(buf_)) out.set_gauge(MetricId::CgPids, static_cast<double>(*v));

  if (const std::string& blkio = e.v1_dirs[kBlkio];
      !blkio.empty() && !has(out, MetricId::CgIoReadBytes) &&
      fetch(blkio, "blkio.throttle.io_service_bytes", e, kV1BlkioBytes))
    parse_blkio_service_bytes(buf_, path_, out, problems);
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
