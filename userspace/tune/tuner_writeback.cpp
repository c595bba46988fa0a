// Writeback stalls: dirty page cache near the vm.dirty_ratio limit while
// tasks stall on I/O. The knobs are host-wide, so this tuner proposes nothing
// unless writeback tuning is enabled in the configuration (tuning.writeback),
// and the controller writes them only with host-wide changes allowed.
#include <fmt/format.h>

#include <cmath>

#include "tune/plans.h"
#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

class WritebackTuner : public Tuner {
 public:
  std::string name() const override { return "writeback"; }

  std::vector<Proposal> propose(const TuneContext& ctx) override {
    std::vector<Proposal> out;
    if (!ctx.options.writeback) return out;
    const model::Snapshot& s = ctx.history.back();
    const model::Component* host = s.host();
    if (!host || s.interval_s <= 0) return out;
    Knob bg{KnobKind::DirtyBackgroundRatio, "", 0}, dr{KnobKind::DirtyRatio, "", 0};
    std::string bg_raw, dr_raw, err;
    if (!read_knob(bg, bg_raw, err) || !read_knob(dr, dr_raw, err)) return out;
    WritebackState w;
    w.background_ratio = numeric_value(bg.kind, bg_raw);
    w.dirty_ratio = numeric_value(dr.kind, dr_raw);
    w.dirty_bytes = host->value(MetricId::MemDirty);
    w.writeback_bytes = host->value(MetricId::MemWriteback);
    w.available_bytes = host->value(MetricId::MemAvailable);
    w.io_stall = rate(s, ComponentKind::Host, "host", MetricId::PsiIoSome);
    if (!std::isfinite(w.dirty_bytes) || !std::isfinite(w.io_stall)) return out;
    if (!std::isfinite(w.writeback_bytes)) w.writeback_bytes = 0;
    auto step = plan_writeback(w, ctx.options);
    if (!step) return out;
    bool lower_bg = step->kind == KnobKind::DirtyBackgroundRatio;
    Proposal p;
    p.scenario = "writeback_stalls";
    p.diagnosis = "host-wide writeback stalls";
    p.severity = w.io_stall;
    p.knob = lower_bg ? bg : dr;
    p.current_raw = lower_bg ? bg_raw : dr_raw;
    p.proposed_raw = step->raw;
    p.evidence = fmt::format(
        "{:.0f} MiB dirty + {:.0f} MiB under writeback against a dirty_ratio limit of ~{:.0f} "
        "MiB ({}% of {:.0f} MiB available); tasks stalled on I/O {:.0f}% of the time; "
        "dirty_background_ratio {}",
        w.dirty_bytes / 1048576, w.writeback_bytes / 1048576,
        w.dirty_ratio / 100 * w.available_bytes / 1048576, dr_raw, w.available_bytes / 1048576,
        w.io_stall * 100, bg_raw);
    p.expected_gain =
        lower_bg ? fmt::format(
                       "I/O stall {:.0f}% of the time expected to fall: background "
                       "writeback starts at {}% instead of {}% of available memory",
                       w.io_stall * 100, step->raw, bg_raw)
                 : fmt::format(
                       "I/O stall {:.0f}% of the time expected to fall: writers throttled "
                       "at {}% instead of {}% ({:+.0f} MiB of room for bursts)",
                       w.io_stall * 100, step->raw, dr_raw,
                       (std::stod(step->raw) - w.dirty_ratio) / 100 * w.available_bytes / 1048576);
    p.note = "host-wide: affects every writer on the host";
    p.objective = {"host I/O stall (s/s)", false, [](const model::Snapshot& s) {
                     return rate(s, ComponentKind::Host, "host", MetricId::PsiIoSome);
                   }};
    out.push_back(std::move(p));
    return out;
  }
};

}  // namespace

std::unique_ptr<Tuner> make_writeback_tuner() {
  return std::make_unique<WritebackTuner>();
}

}  // namespace kpulse::tune
