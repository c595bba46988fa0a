#include "tests/support/synthetic_source.h"

#include <array>
#include <cmath>
#include <string>
#include <thread>

#include "model/listeners_exits.h"

namespace kpulse::synthetic {
namespace {

using model::ComponentKind;
using model::MetricId;

constexpr double kIntervalS = 1.0;
constexpr int64_t kEpochNs = 1'780'000'000'000'000'000;  // fixed start so output is reproducible

// SplitMix64: a stable per-(seed, salt) pseudo-random value in [0, 1).
double unit_hash(uint64_t seed, uint64_t salt) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ULL + salt + 0x632be59bd9b4e5bULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return double(z >> 11) / double(uint64_t{1} << 53);
}

// A smooth load curve so sparklines and sort orders move over time.
double wave(uint64_t seq, double phase) {
  return 0.5 + 0.5 * std::sin(0.3 * double(seq) + phase);
}

void counter(model::Component& c, MetricId id, double rate, uint64_t seq) {
  c.set_counter(id, rate * kIntervalS * double(seq + 1), rate * kIntervalS);
}

model::Log2Histogram latency_histogram(double center_slot, double events) {
  model::Log2Histogram h;
  for (int s = 0; s < model::kHistogramSlots; ++s) {
    double d = s - center_slot;
    auto n = static_cast<uint64_t>(events * std::exp(-d * d / 2.0));
    if (!n) continue;
    h.slots[s] = n;
    h.count += n;
    h.sum_ns += n * (model::slot_upper_bound_ns(s) * 3 / 4);
  }
  return h;
}

void histogram(model::Component& c, MetricId id, double center_slot, double events, uint64_t seq) {
  model::HistogramSample hs{id, latency_histogram(center_slot, events * double(seq + 1)),
                            latency_histogram(center_slot, events)};
  c.histograms.push_back(hs);
}

std::string cgroup_path(int i) {
  if (i == 0) return "/system.slice";
  if (i == 1) return "/user.slice";
  if (i == 2) return "/user.slice/user-1000.slice";
  if (i % 2 == 1) return "/system.slice/svc-" + std::to_string(i) + ".service";
  return "/user.slice/user-1000.slice/app-" + std::to_string(i) + ".scope";
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 ? std::string() : path.substr(0, slash);
}

std::string leaf_of(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

}  // namespace

SyntheticSource::SyntheticSource(SyntheticOptions options) : options_(options) {}

std::optional<model::Snapshot> SyntheticSource::next() {
  if (options_.interval.count() > 0) std::this_thread::sleep_for(options_.interval);
  return at(seq_++);
}

std::optional<model::Snapshot> SyntheticSource::step(int delta) {
  // seq_ is one past the snapshot last handed out.
  int64_t current = int64_t(seq_) - 1;
  int64_t target = current + delta;
  if (target < 0) target = 0;
  seq_ = uint64_t(target) + 1;
  return at(uint64_t(target));
}

std::optional<model::Snapshot> SyntheticSource::seek(int64_t time_ns) {
  int64_t steps = (time_ns - kEpochNs) / int64_t(kIntervalS * 1e9);
  if (steps < 0) steps = 0;
  seq_ = uint64_t(steps) + 1;
  return at(uint64_t(steps));
}

model::Snapshot SyntheticSource::at(uint64_t seq) const {
  const uint64_t seed = options_.seed;
  model::Snapshot snap;
  snap.seq = seq;
  snap.time_ns = kEpochNs + int64_t(seq) * int64_t(kIntervalS * 1e9);
  snap.interval_s = kIntervalS;
  snap.hostname = "synthetic-host";
  snap.components.reserve(4 + size_t(options_.cpus) + size_t(options_.cgroups) +
                          size_t(options_.processes) + size_t(options_.disks) +
                          size_t(options_.interfaces));

  model::Component host;
  host.kind = ComponentKind::Host;
  host.id = "host";
  host.name = snap.hostname;
  double host_util = 0;

  for (int i = 0; i < options_.cpus; ++i) {
    model::Component cpu;
    cpu.kind = ComponentKind::Cpu;
    cpu.id = "cpu" + std::to_string(i);
    cpu.name = cpu.id;
    cpu.kernel_id = uint64_t(i);
    double util = 0.05 + 0.9 * unit_hash(seed, 100 + i) * wave(seq, i);
    host_util += util / options_.cpus;
    cpu.set_gauge(MetricId::CpuUtilization, util);
    counter(cpu, MetricId::CpuUser, util * 0.7, seq);
    counter(cpu, MetricId::CpuSystem, util * 0.3, seq);
    counter(cpu, MetricId::CpuIdle, 1 - util, seq);
    cpu.set_gauge(MetricId::SchedRunqLength, 3 * util);
    histogram(cpu, MetricId::SchedRunqLatency, 11 + 6 * util, 400 * util + 10, seq);
    snap.components.push_back(std::move(cpu));
  }

  host.set_gauge(MetricId::CpuUtilization, host_util);
  counter(host, MetricId::SchedOncpuTime, host_util * options_.cpus, seq);
  host.set_gauge(MetricId::HostLoad1, host_util * options_.cpus * 1.1);
  host.set_gauge(MetricId::HostLoad5, host_util * options_.cpus);
  host.set_gauge(MetricId::HostLoad15, host_util * options_.cpus * 0.9);
  host.set_gauge(MetricId::HostUptime, 3 * 86400 + 4 * 3600 + double(seq));
  host.set_gauge(MetricId::HostProcsRunning, 2 + double(seq % 3));
  const double mem_total = 16.0 * (1ull << 30);
  host.set_gauge(MetricId::MemTotal, mem_total);
  host.set_gauge(MetricId::MemUsed, mem_total * (0.35 + 0.1 * wave(seq, 1)));
  host.set_gauge(MetricId::MemAvailable, mem_total * 0.55);
  host.set_gauge(MetricId::MemCached, mem_total * 0.2);
  host.set_gauge(MetricId::MemBuffers, mem_total * 0.02);
  host.set_gauge(MetricId::MemFree, mem_total * 0.1);
  host.set_gauge(MetricId::MemDirty, 12.0 * (1 << 20));
  host.set_gauge(MetricId::SwapTotal, 2.0 * (1ull << 30));
  host.set_gauge(MetricId::SwapUsed, 64.0 * (1 << 20));
  counter(host, MetricId::VmMajorFaults, 3, seq);
  counter(host, MetricId::MemReclaimStall, 0.002 * wave(seq, 2), seq);
  counter(host, MetricId::PsiCpuSome, 0.05 * wave(seq, 0), seq);
  counter(host, MetricId::PsiIoSome, 0.01, seq);
  counter(host, MetricId::PsiMemorySome, 0.001, seq);
  host.set_gauge(MetricId::PsiCpuSomeAvg10, 0.05 * wave(seq, 0));
  host.set_gauge(MetricId::PsiIoSomeAvg10, 0.01);
  host.set_gauge(MetricId::PsiMemorySomeAvg10, 0.001);
  counter(host, MetricId::TcpRetransmits, 2 * wave(seq, 3), seq);
  counter(host, MetricId::TcpResets, 1, seq);
  counter(host, MetricId::TcpActiveOpens, 20, seq);
  counter(host, MetricId::TcpPassiveOpens, 35, seq);
  counter(host, MetricId::TcpListenOverflows, 0, seq);
  counter(host, MetricId::TcpTxBytes, 3e6 * wave(seq, 4), seq);
  counter(host, MetricId::TcpRxBytes, 8e6 * wave(seq, 5), seq);
  histogram(host, MetricId::TcpConnectLatency, 17, 20, seq);
  histogram(host, MetricId::SchedRunqLatency, 12, 2000, seq);

  for (int i = 0; i < options_.cgroups; ++i) {
    model::Component cg;
    cg.kind = ComponentKind::Cgroup;
    cg.id = cgroup_path(i);
    cg.name = leaf_of(cg.id);
    cg.parent = parent_of(cg.id);
    cg.kernel_id = 5000 + uint64_t(i);
    double cpus_used = 2.0 * unit_hash(seed, 200 + i) * wave(seq, 0.7 * i);
    double mem = (64 + 4096 * unit_hash(seed, 300 + i)) * (1 << 20);
    double io = 4e6 * unit_hash(seed, 400 + i) * wave(seq, 1.3 * i);
    cg.set_gauge(MetricId::CpuUtilization, cpus_used);
    counter(cg, MetricId::SchedOncpuTime, cpus_used, seq);
    counter(cg, MetricId::CgCpuUsage, cpus_used, seq);
    counter(cg, MetricId::SchedVoluntarySwitches, 5000 * cpus_used, seq);
    counter(cg, MetricId::SchedInvoluntarySwitches, 800 * cpus_used, seq);
    histogram(cg, MetricId::SchedRunqLatency, 10 + 8 * unit_hash(seed, 500 + i), 300, seq);
    cg.set_gauge(MetricId::CgMemCurrent, mem);
    if (i % 3 == 0) {
      cg.set_gauge(MetricId::CgCpuQuota, 1.0);
      counter(cg, MetricId::CgCpuThrottledTime, cpus_used > 1 ? 0.05 * cpus_used : 0, seq);
      cg.set_gauge(MetricId::CgMemHigh, mem * 1.2);
      cg.set_gauge(MetricId::CgMemMax, mem * 1.5);
    }
    cg.set_gauge(MetricId::CgPids, 1 + double(i % 7));
    counter(cg, MetricId::BlkReadOps, io / 16384, seq);
    counter(cg, MetricId::BlkWriteOps, io / 65536, seq);
    counter(cg, MetricId::BlkReadBytes, io * 0.6, seq);
    counter(cg, MetricId::BlkWriteBytes, io * 0.4, seq);
    histogram(cg, MetricId::BlkDeviceLatency, 14 + 5 * unit_hash(seed, 600 + i), 50, seq);
    counter(cg, MetricId::TcpTxBytes, 1e6 * unit_hash(seed, 700 + i), seq);
    counter(cg, MetricId::TcpRxBytes, 2e6 * unit_hash(seed, 800 + i), seq);
    counter(cg, MetricId::TcpRetransmits, i % 4 == 1 ? 3 : 0, seq);
    counter(cg, MetricId::MemReclaimStall, i % 5 == 2 ? 0.004 : 0, seq);
    counter(cg, MetricId::VmMajorFaults, double(i % 3), seq);
    cg.set_gauge(MetricId::PsiCpuSomeAvg10, 0.1 * unit_hash(seed, 900 + i));
    cg.set_gauge(MetricId::PsiMemorySomeAvg10, i % 5 == 2 ? 0.03 : 0);
    cg.set_gauge(MetricId::PsiIoSomeAvg10, 0.02 * unit_hash(seed, 950 + i));
    snap.components.push_back(std::move(cg));
  }

  static constexpr std::array<const char*, 8> kComms{"nginx", "postgres", "java", "python3",
                                                     "node",  "redis",    "sshd", "cron"};
  const int leaves = options_.cgroups > 3 ? options_.cgroups - 3 : 0;
  for (int p = 0; p < options_.processes; ++p) {
    model::Component proc;
    proc.kind = ComponentKind::Process;
    proc.kernel_id = 1000 + uint64_t(p);
    proc.id = std::to_string(proc.kernel_id);
    proc.name = kComms[size_t(p) % kComms.size()];
    proc.detail = "/usr/bin/" + proc.name + " --worker " + std::to_string(p);
    proc.parent = leaves ? cgroup_path(3 + p % leaves) : std::string();
    double cpus_used = 1.0 * unit_hash(seed, 1000 + p) * wave(seq, 0.5 * p);
    proc.set_gauge(MetricId::CpuUtilization, cpus_used);
    counter(proc, MetricId::SchedOncpuTime, cpus_used, seq);
    counter(proc, MetricId::ProcCpuTime, cpus_used, seq);
    counter(proc, MetricId::SchedVoluntarySwitches, 900 * cpus_used, seq);
    counter(proc, MetricId::SchedInvoluntarySwitches, 90 * cpus_used, seq);
    proc.set_gauge(MetricId::ProcRss, (8 + 900 * unit_hash(seed, 1100 + p)) * (1 << 20));
    proc.set_gauge(MetricId::ProcThreads, 1 + double(p % 16));
    counter(proc, MetricId::VmMajorFaults, double(p % 2), seq);
    snap.components.push_back(std::move(proc));
  }

  double disk_r = 0, disk_w = 0;
  for (int d = 0; d < options_.disks; ++d) {
    model::Component disk;
    disk.kind = ComponentKind::Disk;
    disk.id = d == 0 ? "nvme0n1" : "sd" + std::string(1, char('a' + (d - 1) % 26));
    disk.name = disk.id;
    disk.detail = "259:" + std::to_string(d);
    double rops = 300 * unit_hash(seed, 1200 + d) * wave(seq, d);
    double wops = 150 * unit_hash(seed, 1300 + d);
    counter(disk, MetricId::DiskReadOps, rops, seq);
    counter(disk, MetricId::DiskWriteOps, wops, seq);
    counter(disk, MetricId::DiskReadBytes, rops * 16384, seq);
    counter(disk, MetricId::DiskWriteBytes, wops * 65536, seq);
    disk_r += rops * 16384;
    disk_w += wops * 65536;
    disk.set_gauge(MetricId::DiskUtilization, std::min(1.0, (rops + wops) / 800));
    disk.set_gauge(MetricId::DiskQueueDepth, (rops + wops) / 200);
    disk.set_gauge(MetricId::BlkInflight, double(d + 1));
    histogram(disk, MetricId::BlkQueueLatency, 11 + d, rops + wops, seq);
    histogram(disk, MetricId::BlkDeviceLatency, 15 + 3 * d, rops + wops, seq);
    snap.components.push_back(std::move(disk));
  }
  counter(host, MetricId::BlkReadBytes, disk_r, seq);
  counter(host, MetricId::BlkWriteBytes, disk_w, seq);

  for (int n = 0; n < options_.interfaces; ++n) {
    model::Component nic;
    nic.kind = ComponentKind::Interface;
    nic.id = n == 0 ? "lo" : "eth" + std::to_string(n - 1);
    nic.name = nic.id;
    nic.kernel_id = uint64_t(n) + 1;
    double rx = 5e6 * unit_hash(seed, 1400 + n) * wave(seq, n);
    double tx = 2e6 * unit_hash(seed, 1500 + n);
    counter(nic, MetricId::IfRxBytes, rx, seq);
    counter(nic, MetricId::IfTxBytes, tx, seq);
    counter(nic, MetricId::IfRxPackets, rx / 1200, seq);
    counter(nic, MetricId::IfTxPackets, tx / 900, seq);
    counter(nic, MetricId::IfRxDrops, n == 1 ? 1 : 0, seq);
    counter(nic, MetricId::IfTxDrops, 0, seq);
    counter(nic, MetricId::IfRxErrors, 0, seq);
    counter(nic, MetricId::IfTxErrors, 0, seq);
    snap.components.push_back(std::move(nic));
  }

  model::Component agent;
  agent.kind = ComponentKind::Agent;
  agent.id = "kpulse";
  agent.name = "kpulse";
  counter(agent, MetricId::SelfCpuTime, 0.004, seq);
  agent.set_gauge(MetricId::SelfRss, 24.0 * (1 << 20));
  counter(agent, MetricId::SelfEvents, 41000 * wave(seq, 0), seq);
  counter(agent, MetricId::SelfMapFull, 0, seq);
  agent.set_gauge(MetricId::SelfDrainTime, 180e-6);

  snap.components.insert(snap.components.begin(), std::move(host));
  snap.components.push_back(std::move(agent));

  model::Listener l;
  l.address = "0.0.0.0:80";
  l.backlog = 511;
  l.queued = uint32_t(seq % 4);
  l.comm = "nginx";
  l.pid = 1000;
  snap.components.push_back(model::to_component(l));
  return snap;
}

}  // namespace kpulse::synthetic
