#include "analytics/workload_classifier.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analytics/use_table.h"
#include "model/format.h"

namespace kpulse::analytics {

using model::ComponentKind;
using model::MetricId;

std::string_view to_string(WorkloadClass c) {
  switch (c) {
    case WorkloadClass::Idle:
      return "idle";
    case WorkloadClass::CpuBound:
      return "cpu-bound";
    case WorkloadClass::IoBound:
      return "io-bound";
    case WorkloadClass::NetworkBound:
      return "network-bound";
    case WorkloadClass::MemoryBound:
      return "memory-bound";
    case WorkloadClass::Bursty:
      return "bursty";
    case WorkloadClass::Periodic:
      return "periodic";
  }
  return "?";
}

namespace {

// "chance 0.41", or "chance >= 0.41" when the shuffles stopped early.
std::string chance_text(const Cycle& c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "chance %s%.2f", c.exact ? "" : ">= ", c.chance);
  return buf;
}

// Mean share of the memory figure that moved per interval: its change in
// size, plus the pages faulted in beyond what it grew by (touched again after
// being dropped: churn the size does not show). Faults that built the growth
// are the growth itself, so they are not counted twice.
double churn(const std::vector<WorkloadSample>& w, double nominal) {
  double m = 0;
  for (const auto& s : w) m += s.memory_bytes;
  m /= double(w.size());
  if (m <= 0) return 0;
  double moved = 0;
  for (size_t i = 1; i < w.size(); ++i) {
    const double growth = w[i].memory_bytes - w[i - 1].memory_bytes;
    const double faulted = w[i].fault_bytes_s * (w[i].interval_s > 0 ? w[i].interval_s : nominal);
    moved += (std::fabs(growth) + std::max(0.0, faulted - std::max(0.0, growth))) / m;
  }
  return moved / double(w.size() - 1);
}

// The window's mean of every figure (the interval is left 0: not a mean).
WorkloadSample window_mean(const std::vector<WorkloadSample>& w) {
  WorkloadSample m;
  for (const auto& s : w) {
    m.cpu += s.cpu;
    m.io_bytes_s += s.io_bytes_s;
    m.net_bytes_s += s.net_bytes_s;
    m.memory_bytes += s.memory_bytes;
    m.memory_stall += s.memory_stall;
    m.io_stall += s.io_stall;
    m.cpu_stall += s.cpu_stall;
    m.refault_bytes_s += s.refault_bytes_s;
  }
  const double n = double(w.size());
  for (double* f : {&m.cpu, &m.io_bytes_s, &m.net_bytes_s, &m.memory_bytes, &m.memory_stall,
                    &m.io_stall, &m.cpu_stall, &m.refault_bytes_s})
    *f /= n;
  return m;
}

// The figures a class is judged on, as one line of evidence.
std::string describe_window(const WorkloadSample& m, double cpu_cv, double memory_churn) {
  using model::format;
  using model::Unit;
  const model::Quantity bytes_s = model::per_second(Unit::Bytes);
  char cv[32];
  std::snprintf(cv, sizeof cv, "%.2f", cpu_cv);  // a dimensionless spread, not a reading
  return "cpu " + format(m.cpu, Unit::Count) + " CPUs (cv " + cv + ", waiting " +
         format(m.cpu_stall, Unit::Ratio) + "), io " + format(m.io_bytes_s, bytes_s) + " (stall " +
         format(m.io_stall, Unit::Ratio) + "), net " + format(m.net_bytes_s, bytes_s) +
         ", memory " + format(m.memory_bytes, Unit::Bytes) + " (churn " +
         format(memory_churn, Unit::Ratio) + ", stall " + format(m.memory_stall, Unit::Ratio) +
         ", refaults " + format(m.refault_bytes_s, bytes_s) + ")";
}

}  // namespace

WorkloadPattern classify_window(const std::vector<WorkloadSample>& w, double interval_s,
                                const WorkloadConfig& cfg, bool aggregate,
                                const CpuHistory* history) {
  WorkloadPattern p;
  if (w.size() < size_t(std::max(cfg.min_samples, 2))) {
    p.confidence = 0;
    p.evidence = "not enough samples";
    return p;
  }
  std::vector<double> cpu;
  std::vector<CpuReading> readings;
  cpu.reserve(w.size());
  readings.reserve(w.size());
  for (const auto& s : w) cpu.push_back(s.cpu), readings.push_back({s.cpu, s.interval_s});
  const WorkloadSample m = window_mean(w);
  const double io = m.io_bytes_s, net = m.net_bytes_s;
  const double mstall = m.memory_stall, istall = m.io_stall, cstall = m.cpu_stall;
  const double refaults = m.refault_bytes_s;
  const double cm = m.cpu;
  const double cv = coefficient_of_variation(cpu);
  const double mem_churn = churn(w, interval_s);
  p.evidence = describe_window(m, cv, mem_churn);
  char buf[160];

  auto set = [&](WorkloadClass c, double conf) {
    p.cls = c;
    p.confidence = std::clamp(conf, 0.0, 1.0);
    return p;
  };
  const bool idle = cm < cfg.idle_cpu && io < cfg.idle_io_bytes_s && net < cfg.idle_net_bytes_s;

  // Resource-specific rules first: a process moving data is bound by that
  // data path even if it also burns CPU doing so.
  // Refaults are waiting on memory by another name: the tasks re-read what
  // memory could not keep, for the host as for one cgroup.
  // The size is the window's peak: a working set torn down and rebuilt over
  // and over (stress-ng --vm maps, fills and unmaps 256 MiB) is whole only at
  // its peak, and its mean falls with the share of time spent rebuilding it,
  // which grows when a loaded host gives it less CPU (a mean of 166 MiB then).
  double peak = 0;
  for (const auto& s : w) peak = std::max(peak, s.memory_bytes);
  const bool churning = !aggregate && peak >= cfg.memory_bytes && mem_churn >= cfg.memory_churn;
  const bool refaulting = refaults >= cfg.refault_bytes_s;
  if (!idle && (mstall >= cfg.memory_stall || churning || refaulting))
    return set(WorkloadClass::MemoryBound,
               0.6 + std::min(0.4, (churning ? mem_churn : 0.0) + mstall +
                                       (refaulting ? 0.1 * refaults / cfg.refault_bytes_s : 0.0)));
  if (!idle && net >= cfg.net_bytes_s)
    return set(WorkloadClass::NetworkBound, std::min(1.0, 0.5 + net / cfg.net_bytes_s / 20));
  // Moderate I/O next to heavy CPU use is a CPU-bound task logging, not I/O-bound.
  const bool io_volume =
      (io >= cfg.io_bytes_s && cm < 2 * cfg.busy_cpu) || io >= 16 * cfg.io_bytes_s;
  if (!idle && (istall >= cfg.io_stall || (!aggregate && io_volume)))
    return set(WorkloadClass::IoBound,
               std::min(1.0, 0.5 + std::max(io / cfg.io_bytes_s / 20, istall)));

  // Shape of the CPU use: a repeating on/off cycle, irregular bursts, or steady.
  const Cycle fine = idle ? Cycle{} : search_cycle(readings, interval_s, false);
  if (fine.found()) {
    p.period_s = fine.period_s;
    std::snprintf(buf, sizeof buf, "; period %.0f s (autocorrelation %.2f, chance %.2f)",
                  p.period_s, fine.r, fine.chance);
    p.evidence += buf;
    return set(WorkloadClass::Periodic, fine.r);
  }
  // A cycle too long to repeat three times in the window (a minute-long
  // batch loop, a cron job) shows in the longer history. The window may then
  // fall wholly in its busy or its idle phase: a history whose mean CPU is
  // not idle and that still cycles is periodic whatever the window says.
  if (history && history->size() >= size_t(std::max(cfg.min_samples, 6)) &&
      history->mean_cpu() >= cfg.idle_cpu) {
    const Cycle& slow = history->cycle();
    if (slow.period_s > 0) {
      std::snprintf(buf, sizeof buf, "; over %.0f s: %s %.0f s (autocorrelation %.2f, %s%s)",
                    history->seconds(), slow.found() ? "period" : "best cycle", slow.period_s,
                    slow.r, chance_text(slow).c_str(), slow.current ? "" : ", stopped");
      p.evidence += buf;
    }
    if (slow.found()) {
      p.period_s = slow.period_s;
      return set(WorkloadClass::Periodic, slow.r);
    }
  }
  if (idle) return set(WorkloadClass::Idle, 1.0 - cm / cfg.idle_cpu * 0.5);
  if (cv >= cfg.bursty_cv) {
    // Why it is not periodic: the best cycle found and how weak it was.
    if (fine.period_s > 0) {
      std::snprintf(buf, sizeof buf, "; best cycle %.0f s (autocorrelation %.2f, %s)",
                    fine.period_s, fine.r, chance_text(fine).c_str());
      p.evidence += buf;
    }
    return set(WorkloadClass::Bursty, std::min(1.0, cv / 2));
  }
  // On a contended host a CPU-bound task gets little CPU but waits for it
  // most of the time: the wait is the evidence.
  if (cm >= cfg.busy_cpu || cstall >= cfg.cpu_stall)
    return set(WorkloadClass::CpuBound, std::min(1.0, 0.5 + std::max(cm, cstall) / 2));
  // Light but not idle: named after the resource it comes closest to being
  // bound on, each figure as a share of the level that would make it bound.
  // (Calling every light component CPU-bound named the CPU for a dsync writer
  // using 1.5% of one while its writes waited on the disk 9% of the time.)
  // An aggregate's I/O volume says nothing (see above): only its stall counts.
  const double cpu_share = std::max(cm / cfg.busy_cpu, cstall / cfg.cpu_stall);
  const double io_share = std::max(aggregate ? 0.0 : io / cfg.io_bytes_s, istall / cfg.io_stall);
  const double net_share = net / cfg.net_bytes_s;
  const double memory_share = std::max(mstall / cfg.memory_stall, refaults / cfg.refault_bytes_s);
  const std::pair<double, WorkloadClass> nearest[] = {{io_share, WorkloadClass::IoBound},
                                                      {net_share, WorkloadClass::NetworkBound},
                                                      {memory_share, WorkloadClass::MemoryBound}};
  WorkloadClass light = WorkloadClass::CpuBound;
  double most = cpu_share;
  for (const auto& [share, cls] : nearest)
    if (share > most) most = share, light = cls;
  return set(light, 0.3);
}

WorkloadClassifier::WorkloadClassifier(WorkloadConfig config) : cfg_(config) {}

void WorkloadClassifier::update(const model::Snapshot& snap) {
  ++seq_;
  const double dt = snap.interval_s > 0 ? snap.interval_s : 1.0;
  interval_s_ = dt;
  auto val = [](const model::Component& c, MetricId id) {
    double v = c.value(id);
    return std::isfinite(v) ? v : 0.0;
  };
  auto del = [](const model::Component& c, MetricId id) {
    double v = c.delta(id);
    return std::isfinite(v) ? v : 0.0;
  };
  static const double page_bytes = static_cast<double>(::sysconf(_SC_PAGESIZE));
  // Hybrid hierarchies keep the memory controller on v1, so a v2 cgroup may
  // carry no memory figure: its processes' resident sizes stand in.
  // Page faults are counted per process (/proc/PID/stat), summed per cgroup.
  std::map<std::string, double> rss, faults;
  for (const auto& c : snap.components)
    if (c.kind == ComponentKind::Process) {
      double v = c.value(MetricId::ProcRss);
      if (std::isfinite(v)) rss[c.parent] += v;
      faults[c.parent] += del(c, MetricId::VmPageFaults);
    }
  for (const auto& c : snap.components) {
    if (c.kind != ComponentKind::Cgroup && c.kind != ComponentKind::Host) continue;
    WorkloadSample s;
    s.cpu = val(c, MetricId::CpuUtilization);
    if (c.kind == ComponentKind::Host) {
      s.cpu *= cpu_count(snap);  // host reads 0..1; classify in CPUs like cgroups
      s.memory_bytes = val(c, MetricId::MemUsed);
    } else {
      double cur = c.value(MetricId::CgMemCurrent);
      s.memory_bytes = std::isfinite(cur) ? cur : rss[c.id];
      s.fault_bytes_s = model::rate_of(faults[c.id] * page_bytes, dt);
    }
    s.io_bytes_s =
        model::rate_of(std::max(del(c, MetricId::BlkReadBytes) + del(c, MetricId::BlkWriteBytes),
                                del(c, MetricId::CgIoReadBytes) + del(c, MetricId::CgIoWriteBytes)),
                       dt);
    // Datagrams too: a UDP stream waits on the network as a TCP one does.
    s.net_bytes_s = model::rate_of(del(c, MetricId::TcpTxBytes) + del(c, MetricId::TcpRxBytes) +
                                       del(c, MetricId::UdpTxBytes) + del(c, MetricId::UdpRxBytes),
                                   dt);
    // Stall seconds per second: the share of the interval spent stalled.
    s.memory_stall = model::rate_of(
        std::max(del(c, MetricId::PsiMemorySome), del(c, MetricId::MemReclaimStall)), dt);
    s.io_stall = model::rate_of(del(c, MetricId::PsiIoSome), dt);
    s.cpu_stall = model::rate_of(del(c, MetricId::PsiCpuSome), dt);
    s.interval_s = dt;
    const MetricId refaults =
        c.kind == ComponentKind::Host ? MetricId::VmRefaults : MetricId::CgMemRefaults;
    s.refault_bytes_s = model::rate_of(del(c, refaults) * page_bytes, dt);
    auto it = series_.find(c.key());
    if (it == series_.end())
      it = series_.emplace(c.key(), Series{{}, CpuHistory(cfg_.long_bin, cfg_.long_bins), 0}).first;
    auto& ser = it->second;
    ser.window.push_back(s);
    ser.history.add(s.cpu, dt);
    ser.last_seen = seq_;
    while (ser.window.size() > size_t(cfg_.window)) ser.window.pop_front();
  }
  for (auto it = series_.begin(); it != series_.end();)
    it = (seq_ - it->second.last_seen > cfg_.window) ? series_.erase(it) : std::next(it);
}

WorkloadPattern WorkloadClassifier::classify(const std::string& key) const {
  auto it = series_.find(key);
  WorkloadPattern p;
  if (it == series_.end()) {
    p.component = key;
    p.evidence = "unknown component";
    return p;
  }
  const bool aggregate = key == "host:host" || key == "cgroup:/";
  p = classify_window({it->second.window.begin(), it->second.window.end()}, interval_s_, cfg_,
                      aggregate, &it->second.history);
  p.component = key;
  return p;
}

std::vector<WorkloadPattern> WorkloadClassifier::patterns() const {
  std::vector<WorkloadPattern> out;
  for (const auto& [key, s] : series_)
    if (s.window.size() >= size_t(cfg_.min_samples) && s.last_seen == seq_)
      out.push_back(classify(key));
  return out;
}

}  // namespace kpulse::analytics
