// A cgroup stalling in reclaim against its memory.high while there is room
// below memory.max (or on the host): raise memory.high a step at a time, in
// the spirit of senpai, judged by the cgroup's memory pressure.
#include <fmt/format.h>

#include <cmath>

#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

class MemoryHighTuner : public Tuner {
 public:
  std::string name() const override { return "memory_high"; }

  std::vector<Proposal> propose(const TuneContext& ctx) override {
    std::vector<Proposal> out;
    const model::Snapshot& s = ctx.history.back();
    const model::Component* host = s.host();
    for (const auto& c : s.components) {
      if (c.kind != ComponentKind::Cgroup) continue;
      double high = c.value(MetricId::CgMemHigh);
      double current = c.value(MetricId::CgMemCurrent);
      // cgroup v1 has no memory.high: its limit_in_bytes is the knob (a hard
      // limit, so the same bounded steps apply).
      Knob k{KnobKind::MemoryHigh, c.id, 0};
      if (std::isnan(high) && !std::isnan(c.value(MetricId::CgMemMax))) {
        Knob v1{KnobKind::MemoryLimit, c.id, 0};
        std::string raw, err;
        if (read_knob(v1, raw, err, ctx.options.cgroup_root)) {
          k = v1;
          high = c.value(MetricId::CgMemMax);
        }
      }
      if (std::isnan(high) || std::isnan(current) || current < 0.9 * high) continue;
      double stall = rate(s, ComponentKind::Cgroup, c.id, MetricId::PsiMemorySome);
      double reclaim = rate(s, ComponentKind::Cgroup, c.id, MetricId::MemReclaimStall);
      // Stalled for at least 5% of the interval: memory.high is what hurts.
      double worst = std::max(std::isnan(stall) ? 0 : stall, std::isnan(reclaim) ? 0 : reclaim);
      if (worst < 0.05) continue;
      double ceiling = memory_high_ceiling(c, host, k.kind, ctx.options, high);
      if (high >= ceiling) continue;
      std::string raw, err;
      if (!read_knob(k, raw, err, ctx.options.cgroup_root)) continue;
      double cur = numeric_value(k.kind, raw);
      if (!std::isfinite(cur)) continue;
      double next =
          step_toward(cur, ceiling, ctx.options.step_fraction, 16.0 * 1024 * 1024, spec(k.kind));
      Proposal p;
      p.scenario = "memory_high_stalls";
      p.knob = k;
      p.current_raw = raw;
      p.proposed_raw = compose_value(k.kind, raw, next, 0, ceiling);
      p.evidence = fmt::format(
          "cgroup {}: {:.0f} MiB charged of {} {:.0f} MiB, stalled on memory {:.0f}% of the time",
          c.id, current / 1048576, spec(k.kind).id, high / 1048576, worst * 100);
      p.expected_gain = "less reclaim stall: more page cache kept, fewer re-reads";
      std::string id = c.id;
      p.objective = {"cgroup " + id + " memory stall (s/s)", false, [id](const model::Snapshot& s) {
                       return rate(s, ComponentKind::Cgroup, id, MetricId::PsiMemorySome);
                     }};
      out.push_back(std::move(p));
    }
    return out;
  }
};

}  // namespace

double memory_high_ceiling(const model::Component& c, const model::Component* host, KnobKind kind,
                           const TunerOptions& options, double fallback) {
  if (options.memory_high_max > 0) return options.memory_high_max;
  double max = c.value(MetricId::CgMemMax);
  double total = host ? host->value(MetricId::MemTotal) : std::nan("");
  if (kind == KnobKind::MemoryLimit) max = std::nan("");  // the limit is the knob
  return !std::isnan(max) ? max : (!std::isnan(total) ? total / 2 : fallback);
}

std::unique_ptr<Tuner> make_memory_high_tuner() {
  return std::make_unique<MemoryHighTuner>();
}

}  // namespace kpulse::tune
