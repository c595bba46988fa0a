// A saturated block device queue: requests fill nr_requests, so submitters
// wait for a free request before the scheduler even sees them. Depending on
// the device (plan_block_queue): give a rotational disk without a scheduler
// mq-deadline, take the scheduler off a non-rotational one, or raise
// nr_requests on a rotational one that has a scheduler.
#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "tune/plans.h"
#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

bool read_text(const std::string& path, std::string& out) {
  std::ifstream f(path);
  if (!f) return false;
  std::getline(f, out);
  return true;
}

class BlockQueueTuner : public Tuner {
 public:
  std::string name() const override { return "block_queue"; }

  std::vector<Proposal> propose(const TuneContext& ctx) override {
    std::vector<Proposal> out;
    const model::Snapshot& s = ctx.history.back();
    for (const auto& c : s.components) {
      if (c.kind != ComponentKind::Disk) continue;
      QueueState q;
      q.depth = c.value(MetricId::DiskQueueDepth);
      q.utilization = c.value(MetricId::DiskUtilization);
      if (!(q.depth > 0)) continue;
      Knob nr{KnobKind::NrRequests, c.id, 0}, sched{KnobKind::Scheduler, c.id, 0};
      std::string nr_raw, sched_line, rot, err;
      try {
        // Partitions have no queue/: read_knob fails and the disk is skipped.
        if (!read_knob(nr, nr_raw, err) ||
            !read_text(knob_path(sched, ctx.options.cgroup_root), sched_line))
          continue;
        read_text("/sys/block/" + c.id + "/queue/rotational", rot);
      } catch (const std::exception&) {
        continue;  // not a device name kpulse would write to
      }
      q.nr_requests = numeric_value(nr.kind, nr_raw);
      q.scheduler = active_scheduler(sched_line);
      q.available = available_schedulers(sched_line);
      q.rotational = rot != "0";
      auto step = plan_block_queue(q, ctx.options);
      if (!step) continue;
      Proposal p;
      p.knob = step->kind == KnobKind::NrRequests ? nr : sched;
      p.current_raw = step->kind == KnobKind::NrRequests ? nr_raw : q.scheduler;
      p.proposed_raw = step->raw;
      p.scenario = "disk_queue_saturated";
      p.diagnosis = "device saturation: request queue full";
      p.severity = q.utilization;
      p.evidence = fmt::format(
          "{}: {:.1f} requests in flight on average with nr_requests {}, {:.0f}% busy, scheduler "
          "{}, {}",
          c.id, q.depth, nr_raw, q.utilization * 100, q.scheduler,
          q.rotational ? "rotational" : "non-rotational");
      if (step->kind == KnobKind::NrRequests) {
        p.expected_gain = fmt::format(
            "the queue held {:.1f} of {} requests; {} -> {} lets submitters queue up to {:.0f}x "
            "deeper instead of waiting for a free request",
            q.depth, nr_raw, nr_raw, step->raw, std::stod(step->raw) / q.nr_requests);
      } else if (step->raw == "none") {
        p.expected_gain = fmt::format(
            "{:.1f} requests in flight no longer capped at nr_requests {} by {}: the device's own "
            "queue decides",
            q.depth, nr_raw, q.scheduler);
        p.note = "switching the scheduler resets nr_requests to its default";
      } else {
        p.expected_gain = fmt::format(
            "{:.1f} requests in flight on a rotational device {:.0f}% busy get merged and sorted "
            "(fewer seeks per byte)",
            q.depth, q.utilization * 100);
        p.note = "switching the scheduler resets nr_requests to its default";
      }
      std::string id = c.id;
      p.objective = {"disk " + id + " operations/s", true, [id](const model::Snapshot& s) {
                       return rate(s, ComponentKind::Disk, id, MetricId::DiskReadOps) +
                              rate(s, ComponentKind::Disk, id, MetricId::DiskWriteOps);
                     }};
      out.push_back(std::move(p));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Tuner> make_block_queue_tuner() {
  return std::make_unique<BlockQueueTuner>();
}

}  // namespace kpulse::tune
