// A cgroup throttled by its CPU quota while the host has idle CPU: raise the
// quota (cpu.max on v2, cpu.cfs_quota_us on v1) toward a ceiling.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "tune/cpu_diagnosis.h"
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
    const HostCpu host = host_cpu(s);
    if (!host.valid || s.interval_s <= 0) return out;
    for (const auto& c : s.components) {
      if (c.kind != ComponentKind::Cgroup) continue;
      double share = throttled_share(c);
      if (!(share >= kQuotaThrottledShare)) continue;
      auto q = read_cpu_quota(c.id, ctx.options.cgroup_root);
      if (!q) continue;
      const Knob& k = q->knob;
      const std::string& raw = q->raw;
      const double period = q->period, quota = q->quota;
      double max_cpus =
          ctx.options.cpu_quota_max_cpus > 0 ? ctx.options.cpu_quota_max_cpus : host.cpus;
      double ceiling = max_cpus * period;
      if (quota >= ceiling) continue;
      double next =
          step_toward(quota, ceiling, ctx.options.step_fraction, 0.05 * period, spec(k.kind));
      double used = c.value(MetricId::CpuUtilization);
      // A v1 cgroup in the cpu hierarchy but not in cpuacct has no usage
      // figure; one throttled in most periods uses about its whole quota.
      const bool used_known = std::isfinite(used);
      if (!used_known) used = quota / period;
      double throttled_s = c.rate(MetricId::CgCpuThrottledTime, s.interval_s);
      // What the cgroup would use unthrottled (its CPU plus the time it was
      // held back), and what the raise can give it from the idle CPUs.
      double demand = used + (std::isfinite(throttled_s) ? throttled_s : 0);
      double gets = std::min({demand, next / period, used + host.idle});
      Proposal p;
      p.scenario = "cpu_throttled_idle_host";
      p.diagnosis = "quota throttling";
      p.severity = share;
      p.knob = k;
      p.current_raw = raw;
      p.proposed_raw = compose_value(k.kind, raw, next, 0, ceiling);
      p.evidence = fmt::format(
          "cgroup {} throttled in {:.0f}% of its CPU periods ({:.2f} s/s held back), using "
          "{}{:.2f} "
          "CPU of a {:.2f} CPU quota{}; the host has {:.2f} of {:.0f} CPUs idle",
          c.id, share * 100, std::isfinite(throttled_s) ? throttled_s : 0.0,
          used_known ? "" : "about ", used, quota / period,
          used_known ? "" : " (no usage figure: not in cpuacct)", host.idle, host.cpus);
      p.objective = cpu_wait_objective(c.id);
      if (host.idle < ctx.options.min_idle_cpus) {
        // More quota here is CPU taken from the neighbours: say so, do not act.
        p.scenario = "cpu_throttled_busy_host";
        p.diagnosis = "quota throttling on a saturated host";
        p.advice_only = true;
        p.expected_gain = fmt::format(
            "none without taking CPU from others: {:.2f} CPUs idle, below --min-idle-cpu {:.2f}",
            host.idle, ctx.options.min_idle_cpus);
        p.note = "advice only: lower the neighbours' load or raise the quota knowingly";
      } else {
        // The part of the held-back demand the raise cannot cover stays throttled.
        double left = demand > used ? std::max(0.0, (demand - gets) / (demand - used)) : 0;
        p.expected_gain = fmt::format(
            "{:+.0f}% CPU for the cgroup ({:.2f} -> ~{:.2f} CPUs; quota {:.2f} -> {:.2f} CPU), "
            "throttling {:.0f}% -> ~{:.0f}% of periods",
            used > 0 ? (gets / used - 1) * 100 : 0.0, used, gets, quota / period, next / period,
            share * 100, share * left * 100);
      }
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
