#include "analytics/workload_classifier.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <random>

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

double mean(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}

double stddev(const std::vector<double>& v, double m) {
  if (v.size() < 2) return 0;
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size() - 1));
}

// Sum of squared deviations from m: the autocorrelation's denominator, the
// same for every lag and every order of the same values.
double sum_squares(const std::vector<double>& v, double m) {
  double den = 0;
  for (double x : v) den += (x - m) * (x - m);
  return den;
}

// Autocorrelation of v at lag k (biased estimator, 0 for a flat series).
double acf(const std::vector<double>& v, size_t k, double m, double den) {
  double num = 0;
  for (size_t i = 0; i + k < v.size(); ++i) num += (v[i] - m) * (v[i + k] - m);
  return den > 0 ? num / den : 0;
}

// The series' ranks (ties share their mean rank): a cycle is about when the
// work runs, not how much CPU each busy phase got. On a contended host the
// busy phases get a varying share of a CPU, which blurs the autocorrelation
// of the values while their order (busy above idle) still repeats exactly.
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> out(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (size_t k = i; k <= j; ++k) out[order[k]] = 0.5 * double(i + j);
    i = j + 1;
  }
  return out;
}

// Autocorrelations of v at lags 0 .. v.size() / 3 + 1.
std::vector<double> acfs(const std::vector<double>& v, double m, double den) {
  std::vector<double> r(v.size() / 3 + 2, 0.0);
  for (size_t k = 1; k < r.size(); ++k) r[k] = acf(v, k, m, den);
  return r;
}

// The lag (>= 2 samples, at most a third of the window so at least three
// cycles are seen) with the highest autocorrelation `r` (from acfs), if it is
// a local peak and the series anti-correlated with itself at some shorter
// lag: a cycle swings through its opposite phase on the way, a burst that
// merely lasts a few samples does not.
std::pair<size_t, double> best_period(const std::vector<double>& r) {
  size_t best = 0;
  double best_r = 0, trough = 1;
  for (size_t k = 2; k + 2 <= r.size(); ++k) {
    trough = std::min(trough, r[k - 1]);
    if (r[k] > best_r && trough < 0 && r[k] >= r[k - 1] && r[k] >= r[k + 1])
      best = k, best_r = r[k];
  }
  return {best, best_r};
}

// A series that repeats every P also repeats every 2P and 3P, and when P is
// not a whole number of samples a multiple can land nearer one and peak
// higher (a 60 s cycle on a 5.7 s grid: 10.5 lags, but 21.05). The period is
// the shortest: a peak near a half or a third of `lag` that is itself above
// the chance bound replaces it.
size_t fundamental(const std::vector<double>& r, size_t lag, double chance) {
  for (bool shorter = true; shorter;) {
    shorter = false;
    for (size_t d : {3, 2}) {
      const size_t centre = (lag + d / 2) / d;
      for (size_t k = std::max<size_t>(centre, 3) - 1; k <= centre + 1 && k < lag; ++k)
        if (r[k] > chance && r[k] >= r[k - 1] && r[k] >= r[k + 1] &&
            *std::min_element(r.begin() + 1, r.begin() + ptrdiff_t(k)) < 0) {
          lag = k, shorter = true;
          break;
        }
      if (shorter) break;
    }
  }
  return lag;
}

// How high the best autocorrelation of this series reaches by chance: the
// same values in random order (no cycle at all) searched over the same lags.
// The bound is the largest of kPermutations shuffles' best, so a cycle passes
// with a false-alarm rate of 1 / (kPermutations + 1), whatever the series'
// length (the fixed bound it replaces was too strict for short windows of
// noisy phases and meant nothing for long ones). Seeded: the same series
// always gets the same answer. Once a shuffle reaches `stop_at` (the
// candidate's own autocorrelation) the candidate has failed and the rest
// cannot change that: `exact` is cleared and the bound so far returned.
double chance_autocorrelation(const std::vector<double>& ranked, double m, double den,
                              double stop_at, bool& exact) {
  constexpr int kPermutations = 99;
  exact = true;
  if (!(den > 0)) return 0;
  // Ranks are multiples of 1/2 around a mean of (n - 1) / 2: doubled and
  // centred they are small integers, whose lag products sum exactly in any
  // order (four running sums cost what one did), and each ratio equals the
  // floating-point one bit for bit (both exact before the one division).
  std::vector<int32_t> v(ranked.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = int32_t(std::lround(2 * (ranked[i] - m)));
  auto lag_sum = [&](size_t k) {
    int64_t s[4] = {0, 0, 0, 0};
    const size_t n = v.size() - k;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
      for (size_t j = 0; j < 4; ++j) s[j] += int64_t(v[i + j]) * v[i + j + k];
    for (; i < n; ++i) s[0] += int64_t(v[i]) * v[i + k];
    return s[0] + s[1] + s[2] + s[3];
  };
  const double den4 = 4 * den;
  std::mt19937 rng(0x6b70756c);
  int64_t best = 0;
  for (int p = 0; p < kPermutations; ++p) {
    std::shuffle(v.begin(), v.end(), rng);
    for (size_t k = 2; k <= v.size() / 3; ++k) best = std::max(best, lag_sum(k));
    if (double(best) / den4 >= stop_at && p + 1 < kPermutations) {
      exact = false;
      break;
    }
  }
  return double(best) / den4;
}

// The CPU series on a regular time grid (step: the median interval), each
// grid point taking the interval that covers it. A loaded host stretches its
// sampling intervals unevenly, which puts a fixed period at a varying number
// of samples and blurs its autocorrelation; on the grid it stays one lag.
std::vector<double> cpu_on_time_grid(const std::vector<WorkloadSample>& w, double nominal,
                                     double& step) {
  std::vector<double> dts;
  dts.reserve(w.size());
  for (const auto& s : w) dts.push_back(s.interval_s > 0 ? s.interval_s : nominal);
  std::vector<double> sorted = dts;
  std::nth_element(sorted.begin(), sorted.begin() + ptrdiff_t(sorted.size() / 2), sorted.end());
  step = sorted[sorted.size() / 2];
  std::vector<double> out;
  if (!(step > 0)) return out;
  double end = dts[0];  // end of interval i, from the window's start
  size_t i = 0;
  for (double t = 0.5 * step;; t += step) {
    while (i < w.size() && t >= end) {
      if (++i < w.size()) end += dts[i];
    }
    if (i == w.size()) break;
    out.push_back(w[i].cpu);
  }
  return out;
}

// The period search both time scales share, on a series of CPU readings
// (each with the length of time it covers): on a regular time grid, as
// ranks, the best lag by the trough/peak rule, then the permutation bound
// when the CPU use varies enough (cv >= 0.3) to hold a cycle at all.
// `only_current`: a long history can hold a cycle that stopped minutes ago
// (the job went idle, or steady); it must still swing across the series'
// mean in its last period. Values, not ranks: an idle tail's noise spreads
// over half the ranks but stays far below the mean of a busy cycle.
Cycle search_cycle(const std::vector<WorkloadSample>& w, double nominal, double cv,
                   bool only_current) {
  Cycle c;
  double step = nominal;
  const auto cpu = cpu_on_time_grid(w, nominal, step);
  const auto grid = ranks(cpu);
  const double m = mean(grid), den = sum_squares(grid, m);
  const auto r = acfs(grid, m, den);
  auto [lag, best_r] = best_period(r);
  if (lag == 0) return c;
  c.r = best_r;
  const double cm = mean(cpu);
  auto swings = [&](size_t k) {
    const auto last = cpu.end() - ptrdiff_t(k);
    return std::any_of(last, cpu.end(), [&](double x) { return x > cm; }) &&
           std::any_of(last, cpu.end(), [&](double x) { return x < cm; });
  };
  c.current = !only_current || swings(lag);
  if (cv >= 0.3 && c.current) c.chance = chance_autocorrelation(grid, m, den, best_r, c.exact);
  if (c.r > c.chance) {
    lag = fundamental(r, lag, c.chance);
    c.r = r[lag];
    c.current = !only_current || swings(lag);
  }
  c.period_s = double(lag) * step;
  return c;
}

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
  cpu.reserve(w.size());
  for (const auto& s : w) cpu.push_back(s.cpu);
  const WorkloadSample m = window_mean(w);
  const double io = m.io_bytes_s, net = m.net_bytes_s, mem = m.memory_bytes;
  const double mstall = m.memory_stall, istall = m.io_stall, cstall = m.cpu_stall;
  const double refaults = m.refault_bytes_s;
  const double cm = m.cpu, cs = stddev(cpu, cm);
  const double cv = cm > 0 ? cs / cm : 0;
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
  const Cycle fine = idle ? Cycle{} : search_cycle(w, interval_s, cv, false);
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

CpuHistory::CpuHistory(int bin, int bins)
    : bin_(std::max(bin, 1)), max_bins_(size_t(std::max(bins, 1))) {}

void CpuHistory::add(double cpu, double interval_s) {
  open_.cpu += cpu * interval_s;
  open_.interval_s += interval_s;
  if (++open_n_ < bin_) return;
  if (open_.interval_s > 0) {
    open_.cpu /= open_.interval_s;
    bins_.push_back(open_);
    if (bins_.size() > max_bins_) bins_.pop_front();
    ++completed_;
  }
  open_ = {};
  open_n_ = 0;
}

double CpuHistory::seconds() const {
  double s = 0;
  for (const auto& b : bins_) s += b.interval_s;
  return s;
}

double CpuHistory::mean_cpu() const {
  // Time-weighted: the CPU-seconds of the history over its length.
  double cpu_s = 0, s = 0;
  for (const auto& b : bins_) cpu_s += b.cpu * b.interval_s, s += b.interval_s;
  return s > 0 ? cpu_s / s : 0;
}

const Cycle& CpuHistory::cycle() const {
  // The search again once a tenth of the history is new (every 10 bins, 30 s
  // at 1 s): one bin moves a 100-bin history's autocorrelation little, and
  // its permutation bound is the cost (99 shuffles x 32 lags x 100 bins).
  if (cycle_ && completed_ < searched_at_ + std::max<size_t>(max_bins_ / 10, 1)) {
    // In between, only whether the cycle still runs, on the new bins: its
    // last period swings across the history's mean (as search_cycle asks).
    if (cycle_->period_s > 0 && checked_at_ != completed_) {
      checked_at_ = completed_;
      const double m = mean_cpu();
      double span = 0;
      bool above = false, below = false;
      for (auto b = bins_.rbegin(); b != bins_.rend() && span < cycle_->period_s; ++b) {
        span += b->interval_s;
        above = above || b->cpu > m;
        below = below || b->cpu < m;
      }
      cycle_->current = above && below;
    }
    return *cycle_;
  }
  std::vector<WorkloadSample> bins(bins_.begin(), bins_.end());
  std::vector<double> cpu;
  cpu.reserve(bins.size());
  for (const auto& b : bins) cpu.push_back(b.cpu);
  const double m = mean(cpu);
  cycle_ = search_cycle(bins, bins.empty() ? 0 : bins.front().interval_s,
                        m > 0 ? stddev(cpu, m) / m : 0, true);
  searched_at_ = checked_at_ = completed_;
  return *cycle_;
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
      int ncpu = 0;
      for (const auto& o : snap.components) ncpu += o.kind == ComponentKind::Cpu;
      s.cpu *= std::max(ncpu, 1);  // host reads 0..1; classify in CPUs like cgroups
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
