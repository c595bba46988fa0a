// CPU contention between cgroups: one cgroup waits long on the run queue
// while another takes most of the CPU. Raise the waiting side's share
// (cpu.weight on cgroup v2, cpu.shares where the cpu controller is on v1) at
// the level where the two compete, toward a ceiling. The hog is not capped:
// weights only matter while the CPUs are contended.
#include <fmt/format.h>

#include <cmath>
#include <set>

#include "tune/plans.h"
#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

// A contention needs saturated CPUs: below this, a waiting cgroup waits for
// something other than its share.
constexpr double kBusyHost = 0.8;
constexpr double kMinWakeups = 20;       // run-queue samples for a p99 worth reading
constexpr size_t kLatencyIntervals = 5;  // snapshots they are pooled over

class CpuWeightTuner : public Tuner {
 public:
  std::string name() const override { return "cpu_weight"; }

  std::vector<Proposal> propose(const TuneContext& ctx) override {
    std::vector<Proposal> out;
    const model::Snapshot& s = ctx.history.back();
    const model::Component* host = s.host();
    if (!host || s.interval_s <= 0) return out;
    double busy = host->value(MetricId::CpuUtilization);
    if (!(busy >= kBusyHost)) return out;
    // Leaves only: usage is charged to every ancestor too.
    std::set<std::string> parents;
    for (const auto& c : s.components)
      if (c.kind == ComponentKind::Cgroup && !c.parent.empty()) parents.insert(c.parent);
    std::vector<const model::Component*> leaves;
    double total = 0;
    const model::Component* hog = nullptr;
    for (const auto& c : s.components) {
      if (c.kind != ComponentKind::Cgroup || c.id == "/" || parents.count(c.id)) continue;
      leaves.push_back(&c);
      double u = c.value(MetricId::CpuUtilization);
      if (!std::isfinite(u)) continue;
      total += u;
      if (!hog || u > hog->value(MetricId::CpuUtilization)) hog = &c;
    }
    if (!hog || !(total > 0)) return out;
    double hog_cpus = hog->value(MetricId::CpuUtilization);
    if (hog_cpus < 0.5 * total) return out;  // nobody takes "most" of the CPU
    std::set<std::string> seen;
    for (const auto* victim : leaves) {
      if (victim == hog) continue;
      // A starved cgroup wakes rarely: pool its last few intervals' samples.
      model::Log2Histogram waits;
      size_t n = 0;
      for (auto it = ctx.history.rbegin(); it != ctx.history.rend() && n < kLatencyIntervals;
           ++it, ++n)
        if (const auto* c = it->find(ComponentKind::Cgroup, victim->id))
          if (const auto* h = c->find_histogram(MetricId::SchedRunqLatency)) waits += h->delta;
      if (waits.count < kMinWakeups) continue;
      double p99 = waits.quantile_ns(0.99) / 1e9;
      if (p99 < ctx.options.cpu_contention_latency_s) continue;
      std::string target = contending_sibling(victim->id, hog->id);
      if (target.empty() || !seen.insert(target).second) continue;
      // v2 when the cpu controller is on the unified tree, else v1 cpu.shares.
      Knob k{KnobKind::CpuWeight, target, 0};
      std::string raw, err;
      if (!read_knob(k, raw, err, ctx.options.cgroup_root)) {
        // No cpu.weight on the unified tree: the cpu controller is on v1.
        k.kind = KnobKind::CpuShares;
        if (!read_knob(k, raw, err, ctx.options.cgroup_root)) continue;
      }
      double cur = numeric_value(k.kind, raw);
      double ceiling = cpu_weight_ceiling(k.kind, ctx.options);
      if (!std::isfinite(cur) || cur >= ceiling) continue;
      // At least a tenth of the default per step (weight 10, shares 102).
      double min_step = k.kind == KnobKind::CpuShares ? 102 : 10;
      double next = step_toward(cur, ceiling, ctx.options.step_fraction, min_step, spec(k.kind));
      Proposal p;
      p.scenario = "cpu_contention";
      p.knob = k;
      p.current_raw = raw;
      p.proposed_raw = compose_value(k.kind, raw, next, 0, ceiling);
      p.evidence = fmt::format(
          "cgroup {} waits {:.1f} ms (run-queue p99) while {} uses {:.2f} of the {:.2f} CPUs "
          "cgroups use, host {:.0f}% busy; {} {}",
          victim->id, p99 * 1000, hog->id, hog_cpus, total, busy * 100, spec(k.kind).id, raw);
      p.expected_gain = fmt::format("a larger CPU share for {} under contention ({} {} -> {})",
                                    target, spec(k.kind).id, raw, p.proposed_raw);
      p.note = target == victim->id ? ""
                                    : "raised at " + target + ", where it competes with " +
                                          contending_sibling(hog->id, victim->id);
      std::string id = victim->id;
      p.objective = {"cgroup " + id + " CPU used (CPUs)", true, [id](const model::Snapshot& s) {
                       return rate(s, ComponentKind::Cgroup, id, MetricId::CgCpuUsage);
                     }};
      out.push_back(std::move(p));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Tuner> make_cpu_weight_tuner() {
  return std::make_unique<CpuWeightTuner>();
}

}  // namespace kpulse::tune
