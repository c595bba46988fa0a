// Sequential-looking readers issuing small requests on a device with little
// or no readahead: raise read_ahead_kb so the kernel reads ahead in big
// requests instead of one page at a time.
#include <fmt/format.h>

#include <cmath>

#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

class ReadAheadTuner : public Tuner {
 public:
  std::string name() const override { return "read_ahead"; }

  std::vector<Proposal> propose(const TuneContext& ctx) override {
    std::vector<Proposal> out;
    const model::Snapshot& s = ctx.history.back();
    for (const auto& c : s.components) {
      if (c.kind != ComponentKind::Disk) continue;
      double ops = rate(s, ComponentKind::Disk, c.id, MetricId::DiskReadOps);
      double bytes = rate(s, ComponentKind::Disk, c.id, MetricId::DiskReadBytes);
      if (!(ops >= 50) || !(bytes > 0)) continue;
      double avg = bytes / ops;
      // Requests under 32 KiB at a steady rate: readahead would merge them.
      if (avg >= 32 * 1024) continue;
      Knob k{KnobKind::ReadAheadKb, c.id, 0};
      std::string raw, err;
      if (!read_knob(k, raw, err)) continue;  // partitions have no queue/
      double cur = numeric_value(k.kind, raw);
      if (!(cur < 128)) continue;
      double next = step_toward(cur, ctx.options.read_ahead_max_kb, ctx.options.step_fraction, 128,
                                spec(k.kind));
      Proposal p;
      p.scenario = "small_sequential_reads";
      p.diagnosis = "small reads on a device without readahead";
      p.severity = ops;
      p.knob = k;
      p.current_raw = raw;
      p.proposed_raw = compose_value(k.kind, raw, next, 0, ctx.options.read_ahead_max_kb);
      p.evidence = fmt::format("{}: {:.0f} reads/s averaging {:.1f} KiB, read_ahead_kb={}", c.id,
                               ops, avg / 1024, raw);
      // Sequential readers' requests grow toward the readahead window.
      p.expected_gain = fmt::format(
          "requests of {:.1f} KiB could grow to up to {:.0f} KiB for sequential readers: up to "
          "x{:.1f} fewer reads for the {:.1f} MiB/s read now",
          avg / 1024, next, std::max(1.0, next * 1024 / avg), bytes / 1048576);
      p.note = "helps sequential readers; random readers may read more than they use";
      std::string id = c.id;
      p.objective = {"disk " + id + " read bytes/s", true, [id](const model::Snapshot& s) {
                       return rate(s, ComponentKind::Disk, id, MetricId::DiskReadBytes);
                     }};
      out.push_back(std::move(p));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Tuner> make_read_ahead_tuner() {
  return std::make_unique<ReadAheadTuner>();
}

}  // namespace kpulse::tune
