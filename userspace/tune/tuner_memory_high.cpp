// A cgroup held at its memory.high while there is room below memory.max (or
// on the host), either stalling in reclaim or thrashing its page cache
// (re-reading pages it evicted moments ago): raise memory.high a step at a
// time, in the spirit of senpai, judged by the stall or the refaults.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

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
      double stall = or_zero(rate(s, ComponentKind::Cgroup, c.id, MetricId::PsiMemorySome));
      double reclaim = or_zero(rate(s, ComponentKind::Cgroup, c.id, MetricId::MemReclaimStall));
      double worst = std::max(stall, reclaim);
      double refault_bytes =
          or_zero(rate(s, ComponentKind::Cgroup, c.id, MetricId::CgMemRefaults)) * page_size();
      double reads = read_rate(s, c.id);
      bool stalled = worst >= kStallShare;
      bool thrashing = refault_bytes >= kMinRefaultBytesPerS &&
                       refault_bytes >= kRefaultShareOfCharge * current &&
                       (std::isnan(reads) || refault_bytes >= kRefaultShareOfReads * reads);
      if (!stalled && !thrashing) continue;
      double ceiling = memory_high_ceiling(c, host, k.kind, ctx.options, high);
      if (high >= ceiling) continue;
      std::string raw, err;
      if (!read_knob(k, raw, err, ctx.options.cgroup_root)) continue;
      double cur = numeric_value(k.kind, raw);
      if (!std::isfinite(cur)) continue;
      double next = step_toward(cur, ceiling, ctx.options.step_fraction, 16.0 * kMiB, spec(k.kind));
      Proposal p;
      p.knob = k;
      p.current_raw = raw;
      p.proposed_raw = compose_value(k.kind, raw, next, 0, ceiling);
      std::string reads_share =
          std::isnan(reads) || reads <= 0
              ? std::string()
              : fmt::format(", {:.0f}% of its reads", 100 * std::min(1.0, refault_bytes / reads));
      p.evidence = fmt::format(
          "cgroup {}: {:.0f} MiB charged of {} {:.0f} MiB, stalled on memory {:.0f}% of the "
          "time, re-reading evicted page cache at {:.1f} MiB/s ({:.0f}% of its charge per "
          "second{})",
          c.id, current / kMiB, spec(k.kind).id, high / kMiB, worst * 100, refault_bytes / kMiB,
          current > 0 ? 100 * refault_bytes / current : 0.0, reads_share);
      std::string id = c.id;
      if (stalled) {
        p.scenario = "memory_high_stalls";
        p.expected_gain = "less reclaim stall: more page cache kept, fewer re-reads";
        p.objective = {"cgroup " + id + " memory stall (s/s)", false,
                       [id](const model::Snapshot& s) {
                         return rate(s, ComponentKind::Cgroup, id, MetricId::PsiMemorySome);
                       }};
      } else {
        // Judged by the refaults themselves: the stall may be ~0 before and after.
        p.scenario = "memory_high_thrashing";
        p.expected_gain = "fewer page-cache refaults: re-read data served from memory";
        p.objective = {"cgroup " + id + " page-cache refaults (pages/s)", false,
                       [id](const model::Snapshot& s) {
                         return rate(s, ComponentKind::Cgroup, id, MetricId::CgMemRefaults);
                       }};
        // Refaults continue until the raised headroom has been read back in,
        // at about the rate the cgroup reads: judge after that.
        double fill_rate = std::max(refault_bytes, or_zero(reads));
        double fill_s = (next - cur) / fill_rate;
        p.settle_intervals = static_cast<int>(std::clamp(
            std::ceil(fill_s / std::max(s.interval_s, 1e-3)), 1.0, double(kMaxSettleIntervals)));
      }
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
