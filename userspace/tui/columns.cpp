#include "tui/columns.h"

#include <array>
#include <cmath>

#include "tui/format.h"

namespace kpulse::tui {
namespace {

using model::MetricId;

constexpr std::array<ColumnSpec, 25> kColumns{{
    {ColumnId::Name, "NAME", "cgroup path or process name [pid]", 16, 0},
    {ColumnId::CpuPct, "CPU%", "CPU used (100% = one CPU)", 6, 1},
    {ColumnId::RunqP50, "RQ50", "run-queue latency median", 6, 8},
    {ColumnId::RunqP99, "RQ99", "run-queue latency p99", 6, 3},
    {ColumnId::IoOps, "IOPS", "block I/O requests per second", 6, 7},
    {ColumnId::IoBytes, "IO/s", "block I/O bytes per second", 6, 4},
    {ColumnId::IoLatP99, "IOp99", "block device latency p99", 6, 11},
    {ColumnId::NetBytes, "NET/s", "TCP and UDP payload bytes sent and received per second", 6, 5},
    {ColumnId::Retransmits, "RETX", "TCP retransmits per second", 5, 12},
    {ColumnId::ReclaimStall, "RECLM", "direct reclaim stall per second", 6, 13},
    {ColumnId::MajorFaults, "MAJF/s", "major page faults per second", 6, 14},
    {ColumnId::Pressure, "PSI%", "worst PSI some avg10 of cpu, memory, io", 5, 6},
    {ColumnId::CpuPressure, "PSIcpu", "PSI cpu some avg10", 6, 6},
    {ColumnId::MemPressure, "PSImem", "PSI memory some avg10", 6, 6},
    {ColumnId::IoPressure, "PSIio", "PSI io some avg10", 6, 6},
    {ColumnId::Memory, "MEM", "memory.current (cgroup) or RSS (process)", 6, 2},
    {ColumnId::MemLimit, "MLIM", "lowest of memory.high and memory.max", 6, 15},
    {ColumnId::MemHigh, "HIGH", "memory.high", 6, 5},
    {ColumnId::MemMax, "MAX", "memory.max", 6, 5},
    {ColumnId::MemOfLimit, "M%LIM", "memory.current as share of the lowest limit", 6, 4},
    {ColumnId::CpuQuota, "QUOTA", "CPU quota in CPUs (cpu.max)", 5, 16},
    {ColumnId::Throttled, "THRTL", "time throttled by the CPU quota per second", 6, 14},
    {ColumnId::Tasks, "TASKS", "tasks (cgroup) or threads (process)", 5, 17},
}};

constexpr std::array kOverview{ColumnId::Name,         ColumnId::CpuPct,   ColumnId::RunqP50,
                               ColumnId::RunqP99,      ColumnId::IoOps,    ColumnId::IoBytes,
                               ColumnId::IoLatP99,     ColumnId::NetBytes, ColumnId::Retransmits,
                               ColumnId::ReclaimStall, ColumnId::Pressure, ColumnId::Memory,
                               ColumnId::MemLimit,     ColumnId::CpuQuota, ColumnId::Throttled};
constexpr std::array kCpu{ColumnId::Name,        ColumnId::CpuPct,   ColumnId::RunqP50,
                          ColumnId::RunqP99,     ColumnId::CpuQuota, ColumnId::Throttled,
                          ColumnId::CpuPressure, ColumnId::Tasks};
constexpr std::array kDisks{ColumnId::Name,       ColumnId::IoOps,      ColumnId::IoBytes,
                            ColumnId::IoLatP99,   ColumnId::IoPressure, ColumnId::CpuPct,
                            ColumnId::MajorFaults};
constexpr std::array kNetwork{ColumnId::Name, ColumnId::NetBytes, ColumnId::Retransmits,
                              ColumnId::CpuPct, ColumnId::Tasks};
constexpr std::array kMemory{ColumnId::Name,        ColumnId::Memory,      ColumnId::MemHigh,
                             ColumnId::MemMax,      ColumnId::MemOfLimit,  ColumnId::ReclaimStall,
                             ColumnId::MajorFaults, ColumnId::MemPressure, ColumnId::CpuPct};

double value_or_nan(const model::Component& c, MetricId id) {
  return c.value(id);
}

// Sum of per-second rates of counters; NaN only when none is present.
double rate_sum(const model::Component& c, double interval_s, std::initializer_list<MetricId> ids) {
  double sum = 0;
  bool any = false;
  for (MetricId id : ids) {
    const double r = c.rate(id, interval_s);
    if (std::isnan(r)) continue;
    sum += r;
    any = true;
  }
  return any ? sum : model::kNaN;
}

double lowest_limit(const model::Component& c) {
  double high = c.value(MetricId::CgMemHigh), max = c.value(MetricId::CgMemMax);
  if (std::isnan(high)) return max;
  if (std::isnan(max)) return high;
  return std::min(high, max);
}

double max_of(std::initializer_list<double> vs) {
  double out = model::kNaN;
  for (double v : vs)
    if (!std::isnan(v) && (std::isnan(out) || v > out)) out = v;
  return out;
}

}  // namespace

std::string_view view_title(View v) {
  switch (v) {
    case View::Overview:
      return "Overview";
    case View::Cpu:
      return "CPU & scheduler";
    case View::Disks:
      return "Disks";
    case View::Network:
      return "Network";
    case View::Memory:
      return "Memory";
    case View::Alerts:
      return "Alerts";
    case View::Forecasts:
      return "Forecasts";
    case View::Profile:
      return "CPU profile";
  }
  return "?";
}

const ColumnSpec& column(ColumnId id) {
  return kColumns[static_cast<size_t>(id)];
}

std::span<const ColumnId> view_columns(View v) {
  switch (v) {
    case View::Cpu:
      return kCpu;
    case View::Disks:
      return kDisks;
    case View::Network:
      return kNetwork;
    case View::Memory:
      return kMemory;
    default:
      return kOverview;
  }
}

double column_value(ColumnId id, const model::Component& c, double interval_s) {
  const bool proc = c.kind == model::ComponentKind::Process;
  switch (id) {
    case ColumnId::Name:
      return model::kNaN;
    case ColumnId::CpuPct:
      return value_or_nan(c, MetricId::CpuUtilization);
    case ColumnId::RunqP50:
      return c.interval_quantile_ns(MetricId::SchedRunqLatency, 0.5);
    case ColumnId::RunqP99:
      return c.interval_quantile_ns(MetricId::SchedRunqLatency, 0.99);
    case ColumnId::IoOps:
      return rate_sum(c, interval_s, {MetricId::BlkReadOps, MetricId::BlkWriteOps});
    case ColumnId::IoBytes: {
      double bpf = rate_sum(c, interval_s, {MetricId::BlkReadBytes, MetricId::BlkWriteBytes});
      return std::isnan(bpf)
                 ? rate_sum(c, interval_s, {MetricId::CgIoReadBytes, MetricId::CgIoWriteBytes})
                 : bpf;
    }
    case ColumnId::IoLatP99:
      return c.interval_quantile_ns(MetricId::BlkDeviceLatency, 0.99);
    case ColumnId::NetBytes:
      return rate_sum(
          c, interval_s,
          {MetricId::TcpTxBytes, MetricId::TcpRxBytes, MetricId::UdpTxBytes, MetricId::UdpRxBytes});
    case ColumnId::Retransmits:
      return rate_sum(c, interval_s, {MetricId::TcpRetransmits});
    case ColumnId::ReclaimStall:
      return rate_sum(c, interval_s, {MetricId::MemReclaimStall});
    case ColumnId::MajorFaults:
      return rate_sum(c, interval_s, {MetricId::VmMajorFaults});
    case ColumnId::Pressure:
      return max_of({c.value(MetricId::PsiCpuSomeAvg10), c.value(MetricId::PsiMemorySomeAvg10),
                     c.value(MetricId::PsiIoSomeAvg10)});
    case ColumnId::CpuPressure:
      return c.value(MetricId::PsiCpuSomeAvg10);
    case ColumnId::MemPressure:
      return c.value(MetricId::PsiMemorySomeAvg10);
    case ColumnId::IoPressure:
      return c.value(MetricId::PsiIoSomeAvg10);
    case ColumnId::Memory:
      return c.value(proc ? MetricId::ProcRss : MetricId::CgMemCurrent);
    case ColumnId::MemLimit:
      return lowest_limit(c);
    case ColumnId::MemHigh:
      return c.value(MetricId::CgMemHigh);
    case ColumnId::MemMax:
      return c.value(MetricId::CgMemMax);
    case ColumnId::MemOfLimit: {
      double lim = lowest_limit(c);
      double cur = c.value(MetricId::CgMemCurrent);
      return std::isnan(lim) || lim <= 0 ? model::kNaN : cur / lim;
    }
    case ColumnId::CpuQuota:
      return c.value(MetricId::CgCpuQuota);
    case ColumnId::Throttled:
      return rate_sum(c, interval_s, {MetricId::CgCpuThrottledTime});
    case ColumnId::Tasks:
      return c.value(proc ? MetricId::ProcThreads : MetricId::CgPids);
  }
  return model::kNaN;
}

std::string format_column(ColumnId id, double v) {
  if (std::isnan(v)) return "-";
  switch (id) {
    case ColumnId::CpuPct:
    case ColumnId::Pressure:
    case ColumnId::CpuPressure:
    case ColumnId::MemPressure:
    case ColumnId::IoPressure:
    case ColumnId::MemOfLimit:
      return format_percent(v);
    case ColumnId::ReclaimStall:
    case ColumnId::Throttled:
      return format_duration_s(v);
    case ColumnId::RunqP50:
    case ColumnId::RunqP99:
    case ColumnId::IoLatP99:
      return format_duration_ns(v);
    case ColumnId::IoBytes:
    case ColumnId::NetBytes:
    case ColumnId::Memory:
    case ColumnId::MemLimit:
    case ColumnId::MemHigh:
    case ColumnId::MemMax:
      return format_bytes(v);
    case ColumnId::CpuQuota: {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.2f", v);
      return buf;
    }
    default:
      return format_count(v);
  }
}

}  // namespace kpulse::tui
