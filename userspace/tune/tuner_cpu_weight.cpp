// CPU contention between cgroups: one cgroup waits long on the run queue
// while another takes most of the CPU. Raise the waiting side's share
// (cpu.weight on cgroup v2, cpu.shares where the cpu controller is on v1) at
// the level where the two compete, toward a ceiling. The hog is not capped:
// weights only matter while the CPUs are contended.
#include <fmt/format.h>

#include <cmath>
#include <set>
#include <utility>

#include "analytics/bottleneck.h"
#include "tune/cpu_diagnosis.h"
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

// The cgroup's CPU knob of this kind: cpu.weight when the cpu controller is
// on the unified tree, else v1 cpu.shares. False when neither can be read.
bool read_share(const std::string& cgroup, const std::string& root, Knob& k, std::string& raw) {
  std::string err;
  k = Knob{KnobKind::CpuWeight, cgroup, 0};
  if (read_knob(k, raw, err, root)) return true;
  k.kind = KnobKind::CpuShares;
  return read_knob(k, raw, err, root);
}

std::string parent_of(const std::string& cgroup) {
  auto slash = cgroup.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : cgroup.substr(0, slash);
}

// The weight the target's busy siblings hold against it: theirs read from
// cgroupfs; the root cgroup's own busy processes each weigh as a nice-0 task.
double competing_weight(const model::Snapshot& s, const std::string& target, KnobKind kind,
                        const HostCpu& host, const std::string& root) {
  const double nice0 = kind == KnobKind::CpuShares ? 1024 : 100;
  const std::string parent = parent_of(target);
  double w = 0;
  for (const auto& c : s.components) {
    if (c.kind != ComponentKind::Cgroup || c.id == target || c.id == "/") continue;
    bool sibling = c.parent == parent || (parent == "/" && c.parent.empty());
    if (!sibling || !(c.value(MetricId::CpuUtilization) >= 0.05)) continue;
    Knob k;
    std::string raw;
    double v = read_share(c.id, root, k, raw) ? numeric_value(k.kind, raw) : nice0;
    if (std::isfinite(v)) w += v;
  }
  if (parent == "/" && host.outside >= 0.05) w += nice0 * std::ceil(host.outside);
  return w;
}

// The biggest consumer of the whole host and its CPUs: a leaf cgroup, or
// the processes of the root cgroup itself ("/").
std::pair<std::string, double> biggest_consumer(const std::vector<const model::Component*>& leaves,
                                                const HostCpu& host) {
  std::string hog = "/";
  double hog_cpus = host.outside;
  for (const auto* c : leaves) {
    double u = c->value(MetricId::CpuUtilization);
    if (std::isfinite(u) && u > hog_cpus) {
      hog = c->id;
      hog_cpus = u;
    }
  }
  return {hog, hog_cpus};
}

// A starved cgroup wakes rarely: its run-queue waits pooled over the last
// few intervals.
model::Log2Histogram recent_waits(const TuneContext& ctx, const std::string& id) {
  model::Log2Histogram waits;
  size_t n = 0;
  for (auto it = ctx.history.rbegin(); it != ctx.history.rend() && n < kLatencyIntervals; ++it, ++n)
    if (const auto* c = it->find(ComponentKind::Cgroup, id))
      if (const auto* h = c->find_histogram(MetricId::SchedRunqLatency)) waits += h->delta;
  return waits;
}

class CpuWeightTuner : public Tuner {
 public:
  std::string name() const override { return "cpu_weight"; }

  std::vector<Proposal> propose(const TuneContext& ctx) override {
    std::vector<Proposal> out;
    const model::Snapshot& s = ctx.history.back();
    const HostCpu host = host_cpu(s);
    if (!host.valid || s.interval_s <= 0) return out;
    if (!(host.busy >= kBusyHost * host.cpus)) return out;
    // Leaves only: usage is charged to every ancestor too.
    std::vector<const model::Component*> leaves = analytics::leaf_cgroups(s);
    const auto [hog, hog_cpus] = biggest_consumer(leaves, host);
    if (hog_cpus < 0.5 * host.busy) return out;  // nobody takes "most" of the host
    std::set<std::string> seen;
    for (const auto* victim : leaves) {
      if (victim->id == hog) continue;
      // Throttled by its own quota: that is the quota's diagnosis, not contention.
      double throttled = throttled_share(*victim);
      if (throttled >= kQuotaThrottledShare) continue;
      const model::Log2Histogram waits = recent_waits(ctx, victim->id);
      if (waits.count < kMinWakeups) continue;
      double p99 = waits.quantile_s(0.99);
      if (p99 < ctx.options.cpu_contention_latency_s) continue;
      // Against the root cgroup's processes the victim competes at its top level.
      std::string target = hog == "/" ? victim->id.substr(0, victim->id.find('/', 1))
                                      : contending_sibling(victim->id, hog);
      if (target.empty() || !seen.insert(target).second) continue;
      Knob k;
      std::string raw;
      if (!read_share(target, ctx.options.cgroup_root, k, raw)) continue;
      double cur = numeric_value(k.kind, raw);
      double ceiling = cpu_weight_ceiling(k.kind, ctx.options);
      if (!std::isfinite(cur) || cur >= ceiling) continue;
      // At least a tenth of the default per step (weight 10, shares 102).
      double min_step = k.kind == KnobKind::CpuShares ? 102 : 10;
      double next = step_toward(cur, ceiling, ctx.options.step_fraction, min_step, spec(k.kind));
      // Weights are relative: what the step buys is the target's share of
      // its parent against the siblings that are busy now.
      double others = competing_weight(s, target, k.kind, host, ctx.options.cgroup_root);
      double before = others > 0 ? cur / (cur + others) : 1;
      double after = others > 0 ? next / (next + others) : 1;
      Proposal p;
      p.scenario = "cpu_contention";
      p.diagnosis = "contention with siblings";
      p.severity = p99;
      p.knob = k;
      p.current_raw = raw;
      p.proposed_raw = compose_value(k.kind, raw, next, 0, ceiling);
      p.evidence = fmt::format(
          "cgroup {} waits {:.1f} ms (run-queue p99 of {} wakeups), throttled in {:.0f}% of its "
          "periods; {} uses {:.2f} of the host's {:.2f} busy CPUs ({:.0f} CPUs, {:.2f} idle); "
          "{} {} against {:.0f} held by its busy siblings",
          victim->id, p99 * 1000, waits.count, std::isnan(throttled) ? 0.0 : throttled * 100,
          party_name(hog), hog_cpus, host.busy, host.cpus, host.idle, spec(k.kind).id, raw, others);
      p.expected_gain = fmt::format(
          "{}'s share of {} under contention {:.0f}% -> {:.0f}% ({} {} -> {}); run-queue p99 "
          "{:.1f} ms expected to fall",
          target, parent_of(target), before * 100, after * 100, spec(k.kind).id, raw,
          p.proposed_raw, p99 * 1000);
      p.note = target == victim->id
                   ? ""
                   : "raised at " + target + ", where it competes with " +
                         (hog == "/" ? party_name(hog) : contending_sibling(hog, victim->id));
      p.objective = cpu_wait_objective(victim->id);
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
