#include "tune/guard.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <numeric>

#include "tune/cpu_diagnosis.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

// `a` is `b` or one of its ancestors or descendants.
bool related(const std::string& a, const std::string& b) {
  auto within = [](const std::string& inner, const std::string& outer) {
    return outer == "/" || inner == outer ||
           (inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
            inner[outer.size()] == '/');
  };
  return within(a, b) || within(b, a);
}

struct Stats {
  double mean = 0, se = 0;
};
Stats stats(const std::vector<GuardSample>& v, const std::function<double(const GuardSample&)>& f) {
  Stats s;
  std::vector<double> x;
  for (const auto& g : v)
    if (g.valid) x.push_back(f(g));
  if (x.empty()) return s;
  s.mean = std::accumulate(x.begin(), x.end(), 0.0) / x.size();
  double sq = 0;
  for (double e : x) sq += (e - s.mean) * (e - s.mean);
  s.se = x.size() > 1 ? std::sqrt(sq / (x.size() - 1) / x.size()) : 0;
  return s;
}

// `after` exceeds `before` by more than `margin` and the noise of both means.
bool rose(const Stats& before, const Stats& after, double margin, double sigmas) {
  double noise = sigmas * std::sqrt(before.se * before.se + after.se * after.se);
  return after.mean - before.mean > std::max(margin, noise);
}

enum class Resource { Cpu, Memory, Io, Other };
Resource resource_of(KnobKind k) {
  switch (k) {
    case KnobKind::CpuMax:
    case KnobKind::CfsQuota:
    case KnobKind::CpuWeight:
    case KnobKind::CpuShares:
      return Resource::Cpu;
    case KnobKind::MemoryHigh:
    case KnobKind::MemoryLimit:
      return Resource::Memory;
    case KnobKind::ReadAheadKb:
    case KnobKind::NrRequests:
    case KnobKind::Scheduler:
      return Resource::Io;
    default:
      return Resource::Other;
  }
}

}  // namespace

GuardSample guard_sample(const model::Snapshot& s, const std::string& target) {
  GuardSample g;
  const HostCpu host = host_cpu(s);
  const model::Component* h = s.host();
  if (!host.valid || !h || s.interval_s <= 0) return g;
  double mine = 0;
  if (!target.empty())
    if (const auto* c = s.find(ComponentKind::Cgroup, target)) {
      double u = c->value(MetricId::CpuUtilization);
      if (std::isfinite(u)) mine = u;
    }
  g.others_cpus = std::max(0.0, host.busy - mine);
  g.idle_cpus = host.idle;
  auto psi = [&](MetricId m) {
    double d = h->delta(m);
    return std::isfinite(d) ? model::rate_of(d, s.interval_s) : 0.0;
  };
  g.psi_cpu = psi(MetricId::PsiCpuSome);
  g.psi_memory = psi(MetricId::PsiMemorySome);
  g.psi_io = psi(MetricId::PsiIoSome);
  for (const auto& c : s.components) {
    if (c.kind != ComponentKind::Cgroup || c.id == "/") continue;
    if (!target.empty() && related(c.id, target)) continue;
    if (const auto* hist = c.find_histogram(MetricId::SchedRunqLatency))
      if (hist->delta.count > 0) g.runq[c.id] = hist->delta;
  }
  g.valid = true;
  return g;
}

std::optional<std::string> neighbour_harm(KnobKind kind, const std::vector<GuardSample>& base,
                                          const std::vector<GuardSample>& eval,
                                          const GuardMargins& m) {
  const Resource r = resource_of(kind);
  if (r == Resource::Cpu) {
    // Run-queue latency of each neighbour cgroup, pooled over each window.
    std::map<std::string, model::Log2Histogram> before, after;
    for (const auto& g : base)
      for (const auto& [id, h] : g.runq) before[id] += h;
    for (const auto& g : eval)
      for (const auto& [id, h] : g.runq) after[id] += h;
    for (const auto& [id, hb] : before) {
      auto it = after.find(id);
      if (it == after.end() || hb.count < m.min_wakeups || it->second.count < m.min_wakeups)
        continue;
      double pb = hb.quantile_s(0.99), pe = it->second.quantile_s(0.99);
      if (pe > pb * m.runq_ratio && pe - pb > m.runq_abs_s)
        return fmt::format(
            "neighbour cgroup {} run-queue p99 {:.2f} -> {:.2f} ms (margin x{:.1f} and +{:.1f} ms)",
            id, pb * 1e3, pe * 1e3, m.runq_ratio, m.runq_abs_s * 1e3);
    }
    Stats idle_b = stats(base, [](auto& g) { return g.idle_cpus; });
    Stats idle_e = stats(eval, [](auto& g) { return g.idle_cpus; });
    Stats others_b = stats(base, [](auto& g) { return g.others_cpus; });
    Stats others_e = stats(eval, [](auto& g) { return g.others_cpus; });
    // With no idle CPU left, what the neighbours lost was taken from them.
    Stats loss_b{-others_b.mean, others_b.se}, loss_e{-others_e.mean, others_e.se};
    if (idle_e.mean <= m.saturated_idle &&
        rose(loss_b, loss_e, std::max(m.cpu_loss_min, m.cpu_loss * others_b.mean), m.noise_sigmas))
      return fmt::format(
          "neighbours (other cgroups and the root cgroup's processes) got {:.2f} -> {:.2f} CPUs "
          "({:+.0f}%, margin {:.0f}% / {:.2f} CPU) with {:.2f} CPUs idle",
          others_b.mean, others_e.mean,
          others_b.mean > 0 ? (others_e.mean / others_b.mean - 1) * 100 : 0.0, m.cpu_loss * 100,
          m.cpu_loss_min, idle_e.mean);
    if (idle_b.mean >= m.min_idle_cpus && idle_e.mean < m.min_idle_cpus && m.min_idle_cpus > 0)
      return fmt::format("host idle CPUs {:.2f} -> {:.2f}, below --min-idle-cpu {:.2f}",
                         idle_b.mean, idle_e.mean, m.min_idle_cpus);
  }
  auto psi_check = [&](const char* what, double GuardSample::*field) -> std::optional<std::string> {
    Stats b = stats(base, [field](auto& g) { return g.*field; });
    Stats e = stats(eval, [field](auto& g) { return g.*field; });
    if (rose(b, e, m.psi_rise, m.noise_sigmas))
      return fmt::format("host {} pressure {:.3f} -> {:.3f} s/s (margin +{:.2f})", what, b.mean,
                         e.mean, m.psi_rise);
    return std::nullopt;
  };
  if (r == Resource::Cpu) return psi_check("CPU", &GuardSample::psi_cpu);
  if (r == Resource::Memory) return psi_check("memory", &GuardSample::psi_memory);
  if (r == Resource::Io) return psi_check("I/O", &GuardSample::psi_io);
  return std::nullopt;
}

}  // namespace kpulse::tune
