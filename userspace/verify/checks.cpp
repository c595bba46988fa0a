#include "verify/checks.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace kpulse::verify {

using model::ComponentKind;
using model::MetricId;

double Tolerance::allowed(double kernel) const {
  return absolute + relative * std::fabs(kernel);
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::Pass:
      return "PASS";
    case Status::Fail:
      return "FAIL";
    case Status::Skip:
      return "SKIP";
  }
  return "?";
}

namespace {

// Tolerances: what is inherent to each measurement (named beside it) plus a
// small margin. Timing is not in them: the readings around kpulse's own
// bound what the kernel's counter was at kpulse's instant (Readings).
constexpr Tolerance kCpuHost{0.03, 0.05};    // seconds of CPU, all CPUs
constexpr Tolerance kCpuPerCpu{0.03, 0.03};  // seconds of CPU, one CPU
// Idle cgroups' counters are re-read every few intervals only (their deltas
// arrive in a lump): the absolute part covers an idle cgroup's little CPU.
constexpr Tolerance kCgroupCpu{0.05, 0.03};
// BPF times each wait from enqueue to switch-in, the kernel the same span
// (sched_info): both see the same waits; a wait in progress at either end is
// in neither.
constexpr Tolerance kRunqDelay{0.10, 0.005};
constexpr Tolerance kRunqWaits{0.10, 5};
constexpr Tolerance kDiskOps{0.01, 5};
constexpr Tolerance kDiskBytes{0.01, 256 * 1024};
constexpr Tolerance kDiskBusy{0.02, 0.02};
// An instantaneous gauge read at two instants a few ms apart: a full queue
// can drain or refill meanwhile. A leak (a count that never comes back
// down) exceeds it within seconds under load.
constexpr Tolerance kInflight{0.5, 16};
// BPF counts requests at completion, the kernel at accounting (same call);
// flushes and passthrough requests are in neither's read/write counts.
constexpr Tolerance kBlockOps{0.02, 16};
constexpr Tolerance kBlockBytes{0.02, 512 * 1024};
constexpr Tolerance kIfBytes{0.01, 8192};
constexpr Tolerance kIfPackets{0.01, 16};
// kpulse counts what RetransSegs counts (the segments of each retransmitted
// skb that was not given up before the count, and SYN-ACKs sent again);
// the slack covers retransmits in other network namespaces, which kpulse's
// host figure includes and this namespace's RetransSegs does not.
constexpr Tolerance kRetrans{0.03, 3};
constexpr Tolerance kCgroupMemory{0.05, 16.0 * 1024 * 1024};  // a gauge that moves
constexpr Tolerance kMajorFaults{0.02, 5};
constexpr Tolerance kPsi{0.03, 0.02};

// The kernel's figure over kpulse's interval, from one value per reading.
struct Bounded {
  double mid = 0, half = 0;
};
using Value = std::optional<double>;

// A counter's increase over kpulse's interval: at least before_end -
// after_start, at most after_end - before_start. `missing_at_start` stands
// for a counter not there yet at the start (made during the interval).
template <class F>
std::optional<Bounded> increase(const Readings& r, F f, Value missing_at_start = std::nullopt) {
  Value bs = f(r.before_start), as = f(r.after_start), be = f(r.before_end), ae = f(r.after_end);
  if (!bs) bs = missing_at_start;
  if (!as) as = missing_at_start;
  if (!bs || !as || !be || !ae) return std::nullopt;
  const double lo = *be - *as, hi = *ae - *bs;
  return Bounded{(lo + hi) / 2, std::fabs(hi - lo) / 2};
}

// RetransSegs over the interval, summed namespace by namespace. One first
// seen during the interval was made then and counts from 0; one gone by its
// end is left out: its last count cannot be read.
std::optional<Bounded> retransmits_increase(const Readings& r) {
  if (r.before_end.retrans_segs.empty()) return std::nullopt;
  Bounded total;
  for (const auto& [inode, end] : r.before_end.retrans_segs) {
    auto in_namespace = [inode = inode](const KernelCounters& k) -> Value {
      auto it = k.retrans_segs.find(inode);
      return it == k.retrans_segs.end() ? std::nullopt : Value(double(it->second));
    };
    if (auto b = increase(r, in_namespace, 0.0)) {
      total.mid += b->mid;
      total.half += b->half;
    }
  }
  return total;
}

// A gauge at kpulse's snapshot: between the readings around it.
template <class F>
std::optional<Bounded> at_end(const Readings& r, F f) {
  Value be = f(r.before_end), ae = f(r.after_end);
  if (!be || !ae) return std::nullopt;
  return Bounded{(*be + *ae) / 2, std::fabs(*ae - *be) / 2};
}

CheckResult judge(std::string family, std::string component, std::string unit, double kp,
                  Bounded kernel, Tolerance tol) {
  CheckResult r;
  r.family = std::move(family);
  r.component = std::move(component);
  r.unit = std::move(unit);
  r.kpulse = kp;
  r.kernel = kernel.mid;
  r.uncertainty = kernel.half;
  r.tolerance = tol;
  r.allowed = tol.allowed(kernel.mid) + kernel.half;
  r.status =
      std::isfinite(kp) && std::fabs(kp - kernel.mid) <= r.allowed ? Status::Pass : Status::Fail;
  return r;
}

CheckResult skipped(std::string family, std::string why) {
  CheckResult r;
  r.family = std::move(family);
  r.status = Status::Skip;
  r.note = std::move(why);
  return r;
}

template <class Map, class F>
auto in(const Map& m, const std::string& key, F f) {
  return [m, key, f](const KernelCounters& k) -> Value {
    const auto& map = k.*m;
    auto it = map.find(key);
    if (it == map.end()) return std::nullopt;
    return f(it->second);
  };
}

double ticks_per_second() {
  static const double hz = double(::sysconf(_SC_CLK_TCK));
  return hz;
}

// Busy ticks: every mode but idle and iowait.
double busy_seconds(const std::array<uint64_t, 8>& t) {
  return double(t[0] + t[1] + t[2] + t[5] + t[6] + t[7]) / ticks_per_second();
}

double kpulse_busy(const model::Component& c) {
  double sum = 0;
  for (MetricId id : {MetricId::CpuUser, MetricId::CpuNice, MetricId::CpuSystem, MetricId::CpuIrq,
                      MetricId::CpuSoftirq, MetricId::CpuSteal}) {
    const double d = c.delta(id);
    if (std::isfinite(d)) sum += d;
  }
  return sum;
}

void compare_cpu(const Readings& r, const model::Snapshot& s, std::vector<CheckResult>& out) {
  for (const auto& [name, ticks] : r.after_end.cpu_ticks) {
    const bool host = name == "host";
    const auto* c = s.find(host ? ComponentKind::Host : ComponentKind::Cpu, name);
    auto k = increase(r, in(&KernelCounters::cpu_ticks, name,
                            [](const auto& t) -> Value { return busy_seconds(t); }));
    if (!c || !k) continue;
    out.push_back(judge(host ? "cpu" : "cpu.per_cpu", name, "s", kpulse_busy(*c), *k,
                        host ? kCpuHost : kCpuPerCpu));
  }
}

void compare_cgroups(const Readings& r, const model::Snapshot& s, std::vector<CheckResult>& out) {
  bool any_runq = false;
  const auto& start = r.after_start.cgroups;
  for (const auto& [path, end] : r.before_end.cgroups) {
    const auto* c = s.find(ComponentKind::Cgroup, path);
    if (!c) continue;
    auto cpu = increase(r, in(&KernelCounters::cgroups, path, [](const CgroupCounters& g) -> Value {
                          if (!g.cpu_usage_ns) return std::nullopt;
                          return double(*g.cpu_usage_ns) * 1e-9;
                        }));
    if (cpu && c->find(MetricId::CgCpuUsage))
      out.push_back(
          judge("cgroup.cpu", path, "s", c->delta(MetricId::CgCpuUsage), *cpu, kCgroupCpu));
    auto memory =
        at_end(r, in(&KernelCounters::cgroups, path, [](const CgroupCounters& g) -> Value {
                 if (!g.memory_bytes) return std::nullopt;
                 return double(*g.memory_bytes);
               }));
    if (memory && c->find(MetricId::CgMemCurrent))
      out.push_back(judge("cgroup.memory", path, "bytes", c->value(MetricId::CgMemCurrent), *memory,
                          kCgroupMemory));
    // Comparable only when the same threads were there throughout: the
    // kernel's per-thread sums leave with an exiting thread.
    const auto* h = c->find_histogram(MetricId::SchedRunqLatency);
    auto first = start.find(path);
    if (!h || path == "/" || end.threads.empty() || first == start.end() ||
        first->second.threads != end.threads)
      continue;
    auto delay = increase(
        r, in(&KernelCounters::cgroups, path,
              [](const CgroupCounters& g) -> Value { return double(g.run_delay_ns) * 1e-9; }));
    if (!delay) continue;
    any_runq = true;
    out.push_back(
        judge("cgroup.runq_delay", path, "s", double(h->delta.sum_ns) * 1e-9, *delay, kRunqDelay));
    auto waits =
        increase(r, in(&KernelCounters::cgroups, path,
                       [](const CgroupCounters& g) -> Value { return double(g.run_waits); }));
    if (waits)
      out.push_back(
          judge("cgroup.runq_waits", path, "waits", double(h->delta.count), *waits, kRunqWaits));
  }
  if (!any_runq)
    for (const char* family : {"cgroup.runq_delay", "cgroup.runq_waits"})
      out.push_back(skipped(family,
                            "no cgroup with run-queue latency (BPF sched group) kept the same "
                            "threads over the interval"));
}

void compare_disks(const Readings& r, const model::Snapshot& s, std::vector<CheckResult>& out) {
  bool any_block = false;
  for (const auto& [name, end] : r.after_end.disks) {
    const auto* c = s.find(ComponentKind::Disk, name);
    if (!c) continue;
    // A named copy: clang before 16 cannot capture a structured binding.
    auto disk = [&, &disk_name = name](auto f) {
      return increase(r, in(&KernelCounters::disks, disk_name, f));
    };
    auto ops =
        disk([](const DiskCounters& d) -> Value { return double(d.read_ops + d.write_ops); });
    auto bytes = disk([](const DiskCounters& d) -> Value {
      return double(d.read_sectors + d.write_sectors) * 512;
    });
    auto busy = disk([](const DiskCounters& d) -> Value { return double(d.io_ticks_ms) * 1e-3; });
    auto inflight = at_end(r, in(&KernelCounters::disks, name, [](const DiskCounters& d) -> Value {
                             return double(d.inflight);
                           }));
    if (!ops || !bytes || !busy || !inflight) continue;
    out.push_back(judge("disk.ops", name, "ops",
                        c->delta(MetricId::DiskReadOps) + c->delta(MetricId::DiskWriteOps), *ops,
                        kDiskOps));
    out.push_back(judge("disk.bytes", name, "bytes",
                        c->delta(MetricId::DiskReadBytes) + c->delta(MetricId::DiskWriteBytes),
                        *bytes, kDiskBytes));
    out.push_back(
        judge("disk.busy", name, "s", c->delta(MetricId::DiskBusyTime), *busy, kDiskBusy));
    out.push_back(judge("disk.inflight", name, "requests", c->value(MetricId::BlkInflight),
                        *inflight, kInflight));
    // BPF's request hooks see request-based (blk-mq) disks only; bio-based
    // ones (zram, device-mapper) never make a request.
    if (!end.request_based || !c->find(MetricId::BlkReadOps)) continue;
    any_block = true;
    out.push_back(judge("block.ops", name, "ops",
                        c->delta(MetricId::BlkReadOps) + c->delta(MetricId::BlkWriteOps), *ops,
                        kBlockOps));
    out.push_back(judge("block.bytes", name, "bytes",
                        c->delta(MetricId::BlkReadBytes) + c->delta(MetricId::BlkWriteBytes),
                        *bytes, kBlockBytes));
  }
  if (!any_block) {
    out.push_back(skipped("block.ops", "no request-based disk with BPF block counts"));
    out.push_back(skipped("block.bytes", "no request-based disk with BPF block counts"));
  }
}

void compare_network(const Readings& r, const model::Snapshot& s, std::vector<CheckResult>& out) {
  for (const auto& [name, end] : r.after_end.interfaces) {
    const auto* c = s.find(ComponentKind::Interface, name);
    auto bytes =
        increase(r, in(&KernelCounters::interfaces, name,
                       [](const InterfaceCounters& i) -> Value { return double(i.bytes); }));
    auto packets =
        increase(r, in(&KernelCounters::interfaces, name,
                       [](const InterfaceCounters& i) -> Value { return double(i.packets); }));
    if (!c || !bytes || !packets) continue;
    out.push_back(judge("interface.bytes", name, "bytes",
                        c->delta(MetricId::IfRxBytes) + c->delta(MetricId::IfTxBytes), *bytes,
                        kIfBytes));
    out.push_back(judge("interface.packets", name, "packets",
                        c->delta(MetricId::IfRxPackets) + c->delta(MetricId::IfTxPackets), *packets,
                        kIfPackets));
  }
  const auto* host = s.host();
  auto retrans = retransmits_increase(r);
  if (host && host->find(MetricId::TcpRetransmits) && retrans)
    out.push_back(judge("tcp.retransmits", "host", "segments",
                        host->delta(MetricId::TcpRetransmits), *retrans, kRetrans));
  else
    out.push_back(skipped("tcp.retransmits", "no TCP retransmit counts (BPF net group)"));
}

void compare_host(const Readings& r, const model::Snapshot& s, std::vector<CheckResult>& out) {
  const auto* host = s.host();
  if (!host) return;
  auto faults = increase(r, [](const KernelCounters& k) -> Value { return double(k.pgmajfault); });
  if (faults)
    out.push_back(judge("memory.major_faults", "host", "faults",
                        host->delta(MetricId::VmMajorFaults), *faults, kMajorFaults));
  static const std::pair<const char*, MetricId> kPsiFiles[] = {
      {"cpu.some", MetricId::PsiCpuSome},       {"cpu.full", MetricId::PsiCpuFull},
      {"memory.some", MetricId::PsiMemorySome}, {"memory.full", MetricId::PsiMemoryFull},
      {"io.some", MetricId::PsiIoSome},         {"io.full", MetricId::PsiIoFull}};
  for (const auto& [key, id] : kPsiFiles) {
    auto total = increase(r, in(&KernelCounters::psi_total_us, key,
                                [](uint64_t us) -> Value { return double(us) * 1e-6; }));
    if (!total || !host->find(id)) continue;
    out.push_back(judge("psi", key, "s", host->delta(id), *total, kPsi));
  }
}

}  // namespace

std::vector<CheckResult> compare(const Readings& kernel, const model::Snapshot& snap) {
  std::vector<CheckResult> out;
  compare_cpu(kernel, snap, out);
  compare_cgroups(kernel, snap, out);
  compare_disks(kernel, snap, out);
  compare_network(kernel, snap, out);
  compare_host(kernel, snap, out);
  for (const auto& f : kFamilies) {
    bool seen = false;
    for (const auto& r : out) seen |= r.family == f;
    if (!seen) out.push_back(skipped(f, "nothing to compare on this host"));
  }
  return out;
}

std::vector<CheckResult> family(const std::vector<CheckResult>& all, const std::string& name) {
  std::vector<CheckResult> out;
  for (const auto& r : all)
    if (r.family == name) out.push_back(r);
  return out;
}

const CheckResult* find(const std::vector<CheckResult>& all, const std::string& family,
                        const std::string& component) {
  for (const auto& r : all)
    if (r.family == family && r.component == component) return &r;
  return nullptr;
}

}  // namespace kpulse::verify
