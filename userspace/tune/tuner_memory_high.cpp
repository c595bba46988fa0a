// A cgroup held at its memory.high while there is room below memory.max (or
// on the host), either stalling in reclaim or thrashing its page cache
// (re-reading pages it evicted moments ago): raise memory.high a step at a
// time, in the spirit of senpai, judged by the stall or the refaults.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

constexpr double kMiB = 1048576;
// Stalled for at least 5% of the interval: memory.high is what hurts.
constexpr double kStallShare = 0.05;
// Thrashing: the cgroup reads back evicted page cache at 5% or more of its
// charge per second (its cache turns over within 20 s, so pages it needs
// again are gone before it comes back to them)...
constexpr double kRefaultShareOfCharge = 0.05;
// ...and those re-reads are at least half of what it reads (a cgroup mostly
// streaming new data gains little from a bigger cache). Fast disks hide this
// from PSI: a refault there costs ~100 us of I/O wait, not a memory stall.
constexpr double kRefaultShareOfReads = 0.5;
// Below 1 MiB/s re-read the cost is noise whatever the ratios say.
constexpr double kMinRefaultBytesPerS = 1 * kMiB;
// A raise shows its gain once the cache has refilled; the wait is bounded so a
// step that cannot help is not kept on trial for long.
constexpr int kMaxSettleIntervals = 10;
// Snapshots the workload's peak and re-read bytes are measured over: the same
// pages refault again and again, so a longer window would overstate the need.
constexpr size_t kDemandWindow = 5;

double or_zero(double v) {
  return std::isnan(v) ? 0 : v;
}

double page_size() {
  static const double size = static_cast<double>(::sysconf(_SC_PAGESIZE));
  return size;
}

// Bytes per second the cgroup reads from its block devices: cgroupfs
// (io.stat, blkio) first, else what BPF attributed to it.
double read_rate(const model::Snapshot& s, const std::string& id) {
  double r = rate(s, ComponentKind::Cgroup, id, MetricId::CgIoReadBytes);
  return std::isnan(r) ? rate(s, ComponentKind::Cgroup, id, MetricId::BlkReadBytes) : r;
}

// Where a limit may grow for this workload: its measured peak over the
// window plus what it showed it lacks (the page cache it re-read after
// eviction; for stalls without refaults, as much again as its peak), with a
// quarter of headroom; never past half the host's available memory above the
// current limit, nor the configured ceiling. Steps go a fraction of the way.
double workload_ceiling(const TuneContext& ctx, const std::string& id, double limit,
                        const model::Component* host, double configured) {
  double peak = 0, refaulted = 0;
  size_t n = 0;
  for (auto it = ctx.history.rbegin(); it != ctx.history.rend() && n < kDemandWindow; ++it, ++n)
    if (const auto* c = it->find(ComponentKind::Cgroup, id)) {
      peak = std::max(peak, or_zero(c->value(MetricId::CgMemCurrent)));
      refaulted += or_zero(c->delta(MetricId::CgMemRefaults)) * page_size();
    }
  double want = refaulted > 0 ? peak + refaulted : 2 * peak;
  double ceiling = std::min(configured, 1.25 * want);
  double available = host ? host->value(MetricId::MemAvailable) : std::nan("");
  if (std::isfinite(available)) ceiling = std::min(ceiling, limit + available / 2);
  return ceiling;
}

// What the cgroup's memory does this interval: stalls, page cache read back
// after eviction, and reads from its disks.
struct MemoryPressure {
  double worst_stall = 0;    // s/s: PSI memory some or reclaim stall, the larger
  double refault_bytes = 0;  // per second
  double reads = 0;          // bytes per second; NaN when unknown
  bool stalled = false;
  bool thrashing = false;
};

MemoryPressure pressure_of(const model::Snapshot& s, const model::Component& c, double current) {
  MemoryPressure m;
  double stall = or_zero(rate(s, ComponentKind::Cgroup, c.id, MetricId::PsiMemorySome));
  double reclaim = or_zero(rate(s, ComponentKind::Cgroup, c.id, MetricId::MemReclaimStall));
  m.worst_stall = std::max(stall, reclaim);
  m.refault_bytes =
      or_zero(rate(s, ComponentKind::Cgroup, c.id, MetricId::CgMemRefaults)) * page_size();
  m.reads = read_rate(s, c.id);
  m.stalled = m.worst_stall >= kStallShare;
  m.thrashing = m.refault_bytes >= kMinRefaultBytesPerS &&
                m.refault_bytes >= kRefaultShareOfCharge * current &&
                (std::isnan(m.reads) || m.refault_bytes >= kRefaultShareOfReads * m.reads);
  return m;
}

// The knob a cgroup's limit is raised through: memory.high, or on cgroup v1
// (no memory.high) its limit_in_bytes, a hard limit, so the same bounded
// steps apply; `high` becomes that limit.
Knob limit_knob(const model::Component& c, const TuneContext& ctx, double& high) {
  Knob k{KnobKind::MemoryHigh, c.id, 0};
  if (std::isnan(high) && !std::isnan(c.value(MetricId::CgMemMax))) {
    Knob v1{KnobKind::MemoryLimit, c.id, 0};
    std::string raw, err;
    if (read_knob(v1, raw, err, ctx.options.cgroup_root)) {
      k = v1;
      high = c.value(MetricId::CgMemMax);
    }
  }
  return k;
}

// Judged by the stall: the raise should shorten it.
void judge_by_stalls(Proposal& p, const std::string& id, const MemoryPressure& m, double cur,
                     double next) {
  p.scenario = "memory_high_stalls";
  p.diagnosis = "memory limit pressure: reclaim stalls";
  p.expected_gain = fmt::format(
      "memory stall {:.0f}% of the time expected to fall with {:.0f} MiB more room "
      "({:+.0f}% of the limit)",
      m.worst_stall * 100, (next - cur) / kMiB, cur > 0 ? (next / cur - 1) * 100 : 0.0);
  p.objective = {"cgroup " + id + " memory stall (s/s)", false, [id](const model::Snapshot& s) {
                   return rate(s, ComponentKind::Cgroup, id, MetricId::PsiMemorySome);
                 }};
}

// Judged by the refaults themselves: the stall may be ~0 before and after.
void judge_by_refaults(Proposal& p, const std::string& id, const MemoryPressure& m, double cur,
                       double next, double ceiling, double interval_s) {
  p.scenario = "memory_high_thrashing";
  p.diagnosis = "memory limit pressure: page-cache refaults";
  // At most the refaults the added room can hold stop.
  const double refaults = m.refault_bytes;
  double saved = std::min(refaults, refaults * (next - cur) / std::max(ceiling - cur, 1.0));
  p.expected_gain = fmt::format(
      "refaults {:.1f} MiB/s expected to fall by up to {:.1f} MiB/s ({:.0f}%) with {:.0f} "
      "MiB more room",
      refaults / kMiB, saved / kMiB, refaults > 0 ? 100 * saved / refaults : 0.0,
      (next - cur) / kMiB);
  p.objective = {"cgroup " + id + " page-cache refaults (pages/s)", false,
                 [id](const model::Snapshot& s) {
                   return rate(s, ComponentKind::Cgroup, id, MetricId::CgMemRefaults);
                 }};
  // Refaults continue until the raised headroom has been read back in, at
  // about the rate the cgroup reads: judge after that.
  double fill_rate = std::max(refaults, or_zero(m.reads));
  double fill_s = (next - cur) / fill_rate;
  p.settle_intervals = static_cast<int>(
      std::clamp(std::ceil(fill_s / std::max(interval_s, 1e-3)), 1.0, double(kMaxSettleIntervals)));
}

class MemoryHighTuner : public Tuner {
 public:
  std::string name() const override { return "memory_high"; }

  std::vector<Proposal> propose(const TuneContext& ctx) override {
    std::vector<Proposal> out;
    const model::Snapshot& s = ctx.history.back();
    for (const auto& c : s.components)
      if (c.kind == ComponentKind::Cgroup)
        if (auto p = propose_for(ctx, s, c)) out.push_back(std::move(*p));
    return out;
  }

 private:
  static std::optional<Proposal> propose_for(const TuneContext& ctx, const model::Snapshot& s,
                                             const model::Component& c) {
    const model::Component* host = s.host();
    double high = c.value(MetricId::CgMemHigh);
    double current = c.value(MetricId::CgMemCurrent);
    const Knob k = limit_knob(c, ctx, high);
    if (std::isnan(high) || std::isnan(current) || current < 0.9 * high) return std::nullopt;
    const MemoryPressure m = pressure_of(s, c, current);
    if (!m.stalled && !m.thrashing) return std::nullopt;
    double configured = memory_high_ceiling(c, host, k.kind, ctx.options, high);
    double ceiling = workload_ceiling(ctx, c.id, high, host, configured);
    if (high >= ceiling) return std::nullopt;
    std::string raw, err;
    if (!read_knob(k, raw, err, ctx.options.cgroup_root)) return std::nullopt;
    double cur = numeric_value(k.kind, raw);
    if (!std::isfinite(cur)) return std::nullopt;
    // A fraction of the way, and at most max_step() (double, +1 GiB): the
    // next step comes only after this one was judged.
    double next = step_toward(cur, ceiling, ctx.options.step_fraction, 16.0 * kMiB, spec(k.kind));
    double ooms = or_zero(c.delta(MetricId::MemOomKills));
    Proposal p;
    p.knob = k;
    p.current_raw = raw;
    p.proposed_raw = compose_value(k.kind, raw, next, 0, ceiling);
    p.at_ceiling = next >= ceiling;
    const double refaults = m.refault_bytes, reads = m.reads;
    std::string reads_share =
        std::isnan(reads) || reads <= 0
            ? std::string()
            : fmt::format(", {:.0f}% of its reads", 100 * std::min(1.0, refaults / reads));
    p.evidence = fmt::format(
        "cgroup {}: {:.0f} MiB charged of {} {:.0f} MiB, stalled on memory {:.0f}% of the "
        "time, re-reading evicted page cache at {:.1f} MiB/s ({:.0f}% of its charge per "
        "second{}){}; workload ceiling {:.0f} MiB (peak plus what it re-read, +25%, within half "
        "the host's available memory and {:.0f} MiB)",
        c.id, current / kMiB, spec(k.kind).id, high / kMiB, m.worst_stall * 100, refaults / kMiB,
        current > 0 ? 100 * refaults / current : 0.0, reads_share,
        ooms > 0 ? fmt::format(", {:.0f} OOM kills", ooms) : std::string(), ceiling / kMiB,
        configured / kMiB);
    p.severity = std::max(m.worst_stall, current > 0 ? refaults / current : 0.0);
    if (m.stalled)
      judge_by_stalls(p, c.id, m, cur, next);
    else
      judge_by_refaults(p, c.id, m, cur, next, ceiling, s.interval_s);
    return p;
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
