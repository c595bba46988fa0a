// A cgroup throttled by its CPU quota while the host has idle CPU: raise the
// quota (cpu.max on v2, cpu.cfs_quota_us on v1) toward a ceiling.
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

class CpuQuotaTuner : public Tuner {
 public:
  std::string name() const override { return "cpu_quota"; }

  std::vector<Proposal> propose(const TuneContext& ctx) override {
    std::vector<Proposal> out;
    const model::Snapshot& s = ctx.history.back();
    const model::Component* host = s.host();
    if (!host || s.interval_s <= 0) return out;
    double ncpus = std::max<long>(1, ::sysconf(_SC_NPROCESSORS_ONLN));
    double host_busy = host->value(MetricId::CpuUtilization);  // 0..1
    if (std::isnan(host_busy)) return out;
    double idle_cpus = (1 - host_busy) * ncpus;
    for (const auto& c : s.components) {
      if (c.kind != ComponentKind::Cgroup) continue;
      double periods = c.delta(MetricId::CgCpuPeriods);
      double throttled = c.delta(MetricId::CgCpuThrottledPeriods);
      double quota_cpus = c.value(MetricId::CgCpuQuota);
      if (std::isnan(quota_cpus) || !(periods > 0) || std::isnan(throttled)) continue;
      double share = throttled / periods;
      // Throttled in at least a fifth of its periods with a quarter CPU idle:
      // the quota, not the host, is what holds the cgroup back.
      if (share < 0.2 || idle_cpus < ctx.options.min_idle_cpus) continue;

      auto q = read_cpu_quota(c.id, ctx.options.cgroup_root);
      if (!q) continue;
      const Knob& k = q->knob;
      const std::string& raw = q->raw;
      const double period = q->period, quota = q->quota;
      double max_cpus = ctx.options.cpu_quota_max_cpus > 0 ? ctx.options.cpu_quota_max_cpus : ncpus;
      double ceiling = max_cpus * period;
      if (quota >= ceiling) continue;
      double next =
          step_toward(quota, ceiling, ctx.options.step_fraction, 0.05 * period, spec(k.kind));
      Proposal p;
      p.scenario = "cpu_throttled_idle_host";
      p.knob = k;
      p.current_raw = raw;
      p.proposed_raw = compose_value(k.kind, raw, next, 0, ceiling);
      p.evidence = fmt::format(
          "cgroup {} throttled in {:.0f}% of its CPU periods, using {:.2f} CPU of a {:.2f} CPU "
          "quota, while the host has {:.2f} CPU idle",
          c.id, share * 100, c.value(MetricId::CpuUtilization), quota_cpus, idle_cpus);
      p.expected_gain =
          fmt::format("up to {:+.0f}% CPU time for the cgroup (quota {:.2f} -> {:.2f} CPU)",
                      (next / quota - 1) * 100, quota / period, next / period);
      std::string id = c.id;
      p.objective = {"cgroup " + id + " CPU used (CPUs)", true, [id](const model::Snapshot& s) {
                       return rate(s, ComponentKind::Cgroup, id, MetricId::CgCpuUsage);
                     }};
      out.push_back(std::move(p));
    }
    return out;
  }
};

}  // namespace

std::optional<CpuQuota> read_cpu_quota(const std::string& cgroup, const std::string& cgroup_root) {
  CpuQuota q;
  q.knob = Knob{KnobKind::CpuMax, cgroup, 0};
  if (!std::filesystem::exists(knob_path(q.knob, cgroup_root))) q.knob.kind = KnobKind::CfsQuota;
  std::string err;
  if (!read_knob(q.knob, q.raw, err, cgroup_root)) return std::nullopt;
  if (q.knob.kind == KnobKind::CpuMax) {
    auto sp = q.raw.find(' ');
    if (sp != std::string::npos) q.period = std::atof(q.raw.c_str() + sp + 1);
  } else {
    // cfs_period_us sits next to the quota; it is read, never written.
    std::ifstream f(std::filesystem::path(knob_path(q.knob, cgroup_root))
                        .replace_filename("cpu.cfs_period_us"));
    if (!(f >> q.period)) q.period = 100000;
  }
  q.quota = numeric_value(q.knob.kind, q.raw);
  if (!std::isfinite(q.quota)) return std::nullopt;
  return q;
}

std::unique_ptr<Tuner> make_cpu_quota_tuner() {
  return std::make_unique<CpuQuotaTuner>();
}

}  // namespace kpulse::tune
