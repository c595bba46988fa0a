#include "cli/snapshot_text.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "cli/format.h"
#include "cli/text_table.h"
#include "model/format.h"
#include "model/listeners_exits.h"

namespace kpulse::cli {

using model::Component;
using model::ComponentKind;
using model::MetricId;

namespace {

struct Ctx {
  double interval;
};

std::string rate(const Component& c, MetricId id, const Ctx& x, std::string (*fmt)(double)) {
  return or_dash(c.rate(id, x.interval), fmt);
}

// This interval's increase of a counter.
std::string interval(const Component& c, MetricId id, std::string (*fmt)(double)) {
  return or_dash(c.delta(id), fmt);
}

std::string value(const Component& c, MetricId id, std::string (*fmt)(double)) {
  return or_dash(c.value(id), fmt);
}

std::string quantile(const Component& c, MetricId id, double q) {
  return or_dash(c.interval_quantile_ns(id, q), human_duration_ns);
}

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string seconds(double s) {
  return human_duration_ns(s * 1e9);
}

std::vector<const Component*> of_kind(const model::Snapshot& s, ComponentKind k) {
  std::vector<const Component*> out;
  for (const auto& c : s.components)
    if (c.kind == k) out.push_back(&c);
  return out;
}

double cpu_of(const Component* c) {
  double v = c->value(MetricId::CpuUtilization);
  return std::isnan(v) ? 0 : v;
}

void print_host(std::FILE* out, const model::Snapshot& s, const Ctx& x) {
  const Component* h = s.host();
  std::fprintf(out, "kpulse snapshot  host %s  seq %llu  interval %.2fs\n\n", s.hostname.c_str(),
               static_cast<unsigned long long>(s.seq), s.interval_s);
  if (!h) return;
  std::fprintf(
      out, "  cpu %s  load %s %s %s  run-queue p50 %s p99 %s  procs running %s blocked %s\n",
      value(*h, MetricId::CpuUtilization, human_percent).c_str(),
      value(*h, MetricId::HostLoad1, fixed).c_str(), value(*h, MetricId::HostLoad5, fixed).c_str(),
      value(*h, MetricId::HostLoad15, fixed).c_str(),
      quantile(*h, MetricId::SchedRunqLatency, 0.5).c_str(),
      quantile(*h, MetricId::SchedRunqLatency, 0.99).c_str(),
      value(*h, MetricId::HostProcsRunning, human_count).c_str(),
      value(*h, MetricId::HostProcsBlocked, human_count).c_str());
  std::fprintf(out, "  memory used %s of %s, available %s, swap used %s of %s, major faults/s %s\n",
               value(*h, MetricId::MemUsed, human_bytes).c_str(),
               value(*h, MetricId::MemTotal, human_bytes).c_str(),
               value(*h, MetricId::MemAvailable, human_bytes).c_str(),
               value(*h, MetricId::SwapUsed, human_bytes).c_str(),
               value(*h, MetricId::SwapTotal, human_bytes).c_str(),
               rate(*h, MetricId::VmMajorFaults, x, human_count).c_str());
  std::fprintf(out, "  pressure avg10 cpu %s memory %s io %s   reclaim stall %s/s\n",
               value(*h, MetricId::PsiCpuSomeAvg10, human_percent).c_str(),
               value(*h, MetricId::PsiMemorySomeAvg10, human_percent).c_str(),
               value(*h, MetricId::PsiIoSomeAvg10, human_percent).c_str(),
               rate(*h, MetricId::MemReclaimStall, x, seconds).c_str());
  std::fprintf(out,
               "  tcp tx %s/s rx %s/s, udp tx %s/s rx %s/s; in this interval: retransmits %s, "
               "resets %s, listen overflows %s, opens out/in %s/%s\n",
               rate(*h, MetricId::TcpTxBytes, x, human_bytes).c_str(),
               rate(*h, MetricId::TcpRxBytes, x, human_bytes).c_str(),
               rate(*h, MetricId::UdpTxBytes, x, human_bytes).c_str(),
               rate(*h, MetricId::UdpRxBytes, x, human_bytes).c_str(),
               interval(*h, MetricId::TcpRetransmits, human_count).c_str(),
               interval(*h, MetricId::TcpResets, human_count).c_str(),
               interval(*h, MetricId::TcpListenOverflows, human_count).c_str(),
               interval(*h, MetricId::TcpActiveOpens, human_count).c_str(),
               interval(*h, MetricId::TcpPassiveOpens, human_count).c_str());
  std::fprintf(out, "\n");
}

void print_cpus(std::FILE* out, const model::Snapshot& s) {
  TextTable t({"<CPU", "UTIL", "RUNQ-P50", "RUNQ-P99", "RUNQ-LEN"});
  for (const Component* c : of_kind(s, ComponentKind::Cpu))
    t.add_row({c->id, value(*c, MetricId::CpuUtilization, human_percent),
               quantile(*c, MetricId::SchedRunqLatency, 0.5),
               quantile(*c, MetricId::SchedRunqLatency, 0.99),
               value(*c, MetricId::SchedRunqLength, fixed)});
  t.print(out, "CPUs");
}

void print_cgroups(std::FILE* out, const model::Snapshot& s, const Ctx& x, const TextOptions& o) {
  auto cgs = of_kind(s, ComponentKind::Cgroup);
  std::stable_sort(cgs.begin(), cgs.end(),
                   [](const Component* a, const Component* b) { return cpu_of(a) > cpu_of(b); });
  TextTable t({"<CGROUP", "CPU", "RUNQ-P99", "THROTTLED", "READ/s", "WRITE/s", "IO-P99", "TX/s",
               "RX/s", "RETRANS", "RECLAIM", "MEM", "MEM-MAX"});
  size_t n = 0;
  for (const Component* c : cgs) {
    if (n++ >= o.max_cgroups) break;
    t.add_row({c->id, value(*c, MetricId::CpuUtilization, human_percent),
               quantile(*c, MetricId::SchedRunqLatency, 0.99),
               rate(*c, MetricId::CgCpuThrottledTime, x, seconds),
               rate(*c, MetricId::BlkReadBytes, x, human_bytes),
               rate(*c, MetricId::BlkWriteBytes, x, human_bytes),
               quantile(*c, MetricId::BlkDeviceLatency, 0.99),
               rate(*c, MetricId::TcpTxBytes, x, human_bytes),
               rate(*c, MetricId::TcpRxBytes, x, human_bytes),
               interval(*c, MetricId::TcpRetransmits, human_count),
               rate(*c, MetricId::MemReclaimStall, x, seconds),
               value(*c, MetricId::CgMemCurrent, human_bytes),
               value(*c, MetricId::CgMemMax, human_bytes)});
  }
  t.print(out,
          "Cgroups (CPU = CPUs used; sorted by CPU" +
              std::string(cgs.size() > o.max_cgroups ? ", first " + std::to_string(o.max_cgroups)
                                                     : "") +
              ")");
}

void print_processes(std::FILE* out, const model::Snapshot& s, const Ctx& x, const TextOptions& o) {
  auto ps = of_kind(s, ComponentKind::Process);
  std::stable_sort(ps.begin(), ps.end(),
                   [](const Component* a, const Component* b) { return cpu_of(a) > cpu_of(b); });
  TextTable t({"PID", "<COMM", "CPU", "MAJFLT/s", "RSS", "THR", "<CGROUP"});
  size_t n = 0;
  for (const Component* c : ps) {
    if (n++ >= o.max_processes) break;
    t.add_row({c->id, c->name, value(*c, MetricId::CpuUtilization, human_percent),
               rate(*c, MetricId::VmMajorFaults, x, human_count),
               value(*c, MetricId::ProcRss, human_bytes),
               value(*c, MetricId::ProcThreads, human_count), c->parent});
  }
  t.print(out, "Processes (busiest " + std::to_string(std::min(ps.size(), o.max_processes)) +
                   " of " + std::to_string(ps.size()) + " active)");
}

void print_disks(std::FILE* out, const model::Snapshot& s, const Ctx& x) {
  TextTable t({"<DISK", "R/s", "W/s", "READ/s", "WRITE/s", "UTIL", "QDEPTH", "QUEUE-P99", "DEV-P50",
               "DEV-P99", "INFLIGHT", "ERRORS"});
  for (const Component* c : of_kind(s, ComponentKind::Disk)) {
    bool idle = c->delta(MetricId::DiskReadOps) == 0 && c->delta(MetricId::DiskWriteOps) == 0 &&
                !c->find_histogram(MetricId::BlkDeviceLatency);
    if (idle && c->id.rfind("loop", 0) == 0) continue;  // dozens of unused loop devices
    t.add_row({c->id, rate(*c, MetricId::DiskReadOps, x, human_count),
               rate(*c, MetricId::DiskWriteOps, x, human_count),
               rate(*c, MetricId::DiskReadBytes, x, human_bytes),
               rate(*c, MetricId::DiskWriteBytes, x, human_bytes),
               value(*c, MetricId::DiskUtilization, human_percent),
               value(*c, MetricId::DiskQueueDepth, fixed),
               quantile(*c, MetricId::BlkQueueLatency, 0.99),
               quantile(*c, MetricId::BlkDeviceLatency, 0.5),
               quantile(*c, MetricId::BlkDeviceLatency, 0.99),
               value(*c, MetricId::BlkInflight, human_count),
               interval(*c, MetricId::BlkErrors, human_count)});
  }
  t.print(out, "Disks");
}

void print_interfaces(std::FILE* out, const model::Snapshot& s, const Ctx& x) {
  TextTable t({"<INTERFACE", "RX/s", "TX/s", "RXPKT/s", "TXPKT/s", "RX-DROP", "TX-DROP", "ERRORS"});
  for (const Component* c : of_kind(s, ComponentKind::Interface)) {
    double errs = c->value(MetricId::IfRxErrors) + c->value(MetricId::IfTxErrors);
    t.add_row({c->id, rate(*c, MetricId::IfRxBytes, x, human_bytes),
               rate(*c, MetricId::IfTxBytes, x, human_bytes),
               rate(*c, MetricId::IfRxPackets, x, human_count),
               rate(*c, MetricId::IfTxPackets, x, human_count),
               value(*c, MetricId::IfRxDrops, human_count),
               value(*c, MetricId::IfTxDrops, human_count), or_dash(errs, human_count)});
  }
  t.print(out, "Interfaces");
}

std::string whole(const Component& c, MetricId id) {
  return model::whole_number(c.value(id));
}

void print_listeners(std::FILE* out, const model::Snapshot& s) {
  TextTable t({"<LISTENER", "NETNS", "BACKLOG", "QUEUED", "OVERFLOWS", "NEW", "<CGROUP"});
  for (const Component* l : of_kind(s, ComponentKind::Listener))
    t.add_row({std::string(model::listener_address(*l)), std::to_string(l->kernel_id),
               whole(*l, MetricId::TcpListenBacklog), whole(*l, MetricId::TcpListenQueued),
               value(*l, MetricId::TcpListenOverflows, human_count),
               interval(*l, MetricId::TcpListenOverflows, human_count), l->parent});
  t.print(out, "TCP listeners");
}

void print_drops(std::FILE* out, const model::Snapshot& s) {
  const Component* h = s.host();
  if (!h) return;
  TextTable t({"<REASON", "TOTAL", "INTERVAL"});
  for (const auto& l : h->labeled)
    if (l.id == MetricId::NetDrops)
      t.add_row({l.label, human_count(l.value), human_count(l.delta)});
  t.print(out, "Packet drops by reason (since kpulse started)");
}

void print_exited(std::FILE* out, const model::Snapshot& s) {
  TextTable t({"PID", "<COMM", "LIFETIME", "CPU", "MAJFLT", "READ", "WRITE", "EXIT", "<CGROUP"});
  const std::vector<const Component*> exited = of_kind(s, ComponentKind::Exited);
  for (size_t n = 0; n < exited.size() && n < 20; ++n) {
    const Component& e = *exited[n];
    t.add_row({std::to_string(e.kernel_id), e.name, value(e, MetricId::ExitedLifetime, seconds),
               value(e, MetricId::ExitedCpuTime, seconds),
               value(e, MetricId::ExitedMajorFaults, human_count),
               value(e, MetricId::ExitedReadBytes, human_bytes),
               value(e, MetricId::ExitedWriteBytes, human_bytes),
               whole(e, MetricId::ExitedExitCode), e.parent});
  }
  t.print(out, "Exited processes (" + std::to_string(exited.size()) + " this interval)");
}

void print_agent(std::FILE* out, const model::Snapshot& s, const Ctx& x) {
  const Component* a = s.find(ComponentKind::Agent, "kpulse");
  if (!a) return;
  std::fprintf(out, "kpulse itself: cpu %s/s  rss %s  probe events %s/s  map-full %s  drain %s\n",
               rate(*a, MetricId::SelfCpuTime, x, seconds).c_str(),
               value(*a, MetricId::SelfRss, human_bytes).c_str(),
               rate(*a, MetricId::SelfEvents, x, human_count).c_str(),
               value(*a, MetricId::SelfMapFull, human_count).c_str(),
               value(*a, MetricId::SelfDrainTime, seconds).c_str());
}

}  // namespace

void print_snapshot_text(std::FILE* out, const model::Snapshot& snap, const TextOptions& opts) {
  Ctx x{snap.interval_s};
  print_host(out, snap, x);
  print_cpus(out, snap);
  print_cgroups(out, snap, x, opts);
  print_processes(out, snap, x, opts);
  print_disks(out, snap, x);
  print_interfaces(out, snap, x);
  print_listeners(out, snap);
  print_drops(out, snap);
  print_exited(out, snap);
  print_agent(out, snap, x);
}

}  // namespace kpulse::cli
