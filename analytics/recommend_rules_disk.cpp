// Disk rules: the device's request pool and I/O scheduler, the host's
// writeback thresholds, and the weight or bandwidth cap of the cgroup causing
// the I/O.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>

#include "analytics/recommend_rules.h"
#include "model/format.h"

namespace kpulse::analytics::rules {
namespace {

double queue_depth(const Bottleneck& b) {
  for (const auto& e : b.evidence)
    if (e.signal == "queue_depth") return e.value;
  return 0;
}

// "none [mq-deadline] kyber" -> "mq-deadline".
std::string active_name(const std::string& s) {
  auto open = s.find('['), close = s.find(']');
  return open == std::string::npos || close < open ? s : s.substr(open + 1, close - open - 1);
}

// A full queue on a rotational disk without a scheduler: nothing merges or
// sorts and nr_requests is pinned to the hardware depth. On a non-rotational
// device the scheduler is the cap: the device queues deeper itself.
void scheduler_rule(const Bottleneck& b, const std::string& dev, Builder& add) {
  auto nr = number(add.read(block_knob(dev, "queue/nr_requests")));
  auto rot = add.read(block_knob(dev, "queue/rotational"));
  if (!nr || !rot || queue_depth(b) < 0.8 * *nr) return;
  bool rotational = *rot != "0";
  add.add(
      "disk-scheduler", block_knob(dev, "queue/scheduler"),
      [rotational](const std::optional<std::string>& cur) -> std::optional<std::string> {
        if (!cur) return std::nullopt;
        std::string active = active_name(*cur);
        std::string want = rotational ? "mq-deadline" : "none";
        if (active == want || cur->find(want) == std::string::npos) return std::nullopt;
        if (rotational && active != "none") return std::nullopt;  // keep a chosen scheduler
        return want;
      },
      rotational ? "requests merged and sorted before they reach " + dev
                 : "no scheduler overhead or request cap above " + dev + "'s own queue",
      0.35,
      rotational ? "the queue is full on a rotational device with no I/O scheduler: requests "
                   "reach the disk unmerged and in arrival order"
                 : "the queue is full at the scheduler's request pool on a device that "
                   "reorders itself; without a scheduler the pool is the device's own depth");
}

// Host-wide I/O stalls: writers throttled in balance_dirty_pages show up as
// I/O pressure. Starting background writeback earlier keeps dirty memory away
// from the hard limit. Host-wide: `kpulse tune` acts on it only with
// tuning.writeback enabled.
void writeback_rule(Builder& add) {
  auto dirty = number(add.read(sysctl_knob("vm.dirty_ratio")));
  add.add(
      "writeback-stall", sysctl_knob("vm.dirty_background_ratio"),
      [dirty](const std::optional<std::string>& cur) -> std::optional<std::string> {
        auto v = number(cur);
        if (!v || *v <= 5) return std::nullopt;
        double want = std::max(5.0, std::floor(*v / 2));
        if (dirty) want = std::min(want, *dirty - 1);
        if (want >= *v || want < 1) return std::nullopt;
        return fmt_num(want);
      },
      "shorter writer stalls: background writeback starts before dirty memory nears "
      "vm.dirty_ratio",
      0.3,
      "tasks stall on I/O host-wide; if dirty page cache is near vm.dirty_ratio, writers are "
      "throttled until it is written back (host-wide knob: needs tuning.writeback)");
}

// A cap on the cause's bandwidth on the saturated device works on every
// layout and scheduler (v2 io.max, v1 blkio.throttle), where weights need an
// I/O controller that divides by weight. Half its measured rate: the queue it
// builds falls with its share of the device's traffic.
void io_throttle_rule(const Bottleneck& b, const std::string& dev, const std::string& cause,
                      Builder& add) {
  if (dev.empty() || cause == "/" || !(b.cause_usage > 0)) return;
  auto majmin = add.read(block_knob(dev, "dev"));
  if (!majmin || majmin->empty()) return;
  const double cap = std::max(1048576.0, std::floor(b.cause_usage / 2));
  const std::string id = *majmin;
  auto gain = [&b, dev, cap](const std::string&, const std::string&) {
    const double share = std::clamp(b.cause_share, 0.0, 1.0);
    const double left = 1 - share * (1 - cap / b.cause_usage);
    const Evidence* e = gain_signal(b, {"queue_depth", "device_latency_p99"});
    char rate[96];
    std::snprintf(rate, sizeof rate, "%s's I/O %.1f MiB/s capped at %.1f MiB/s", b.cause.c_str(),
                  b.cause_usage / 1048576, cap / 1048576);
    if (!e) return std::string(rate);
    return e->signal + " of " + dev + " " + model::format(e->value, e->unit) + " -> about " +
           model::format(e->value * left, e->unit) + " (" + rate + ", " + percent(share) +
           " of the host's I/O)";
  };
  auto propose = [id, cap](const std::string& form) {
    return [id, cap, form](const std::optional<std::string>& cur) -> std::optional<std::string> {
      if (!cur) return std::nullopt;
      if (cur->find(id + " ") != std::string::npos) return std::nullopt;  // already capped
      return id + (form.empty() ? " " + fmt_num(cap)
                                : " rbps=" + fmt_num(cap) + " wbps=" + fmt_num(cap));
    };
  };
  add.add_first("io-hog-cap",
                {{cgroup_knob(cause, "io.max"), propose("v2"), ""},
                 {cgroup_knob(cause, "blkio.throttle.write_bps_device"), propose(""), ""}},
                "io", gain, 0.35,
                b.cause + " moves most of the bytes on " + dev +
                    "; a bandwidth cap leaves the device's queue to the others (it also caps " +
                    b.cause + " when the device is idle)",
                "");
}

// Whether a lower weight moves any I/O on `dev`. cgroup2's io.weight is
// blk-iocost's, which divides a device only where the root's io.cost.qos
// enables it ("MAJ:MIN enable=1 ..."); v1's blkio.bfq.weight needs BFQ as the
// device's scheduler. Elsewhere (none, mq-deadline: a loop device or most
// disks on a v2-only host) the weight changes nothing, while the io.max cap
// still does. Without a device, any device with iocost on may be the one.
bool iocost_on(const Builder& add, const std::string& dev) {
  auto qos = add.read(cgroup_knob("/", "io.cost.qos"));
  if (!qos) return false;
  std::optional<std::string> majmin;  // knob values come without the newline
  if (!dev.empty()) {
    majmin = add.read(block_knob(dev, "dev"));
    if (!majmin || majmin->empty()) return false;
  }
  std::istringstream lines(*qos);
  for (std::string line; std::getline(lines, line);)
    if ((!majmin || line.starts_with(*majmin + " ")) && line.find(" enable=1") != std::string::npos)
      return true;
  return false;
}

bool bfq_on(const Builder& add, const std::string& dev) {
  if (dev.empty()) return true;  // unknown device: the v1 file exists only with BFQ loaded
  auto sched = add.read(block_knob(dev, "queue/scheduler"));
  return sched && sched->find("[bfq]") != std::string::npos;
}

}  // namespace

void disk_rules(const Bottleneck& b, Builder& add) {
  std::string dev = device_of(b.component);
  if (!dev.empty()) {
    const double depth = queue_depth(b);
    add.add(
        "disk-queue-full", block_knob(dev, "queue/nr_requests"),
        [depth](const std::optional<std::string>& cur) -> std::optional<std::string> {
          auto v = number(cur);
          // Only when the queue actually fills the scheduler's request pool.
          if (!v || depth < 0.8 * *v) return std::nullopt;
          return fmt_num(std::min(4096.0, *v * 2));
        },
        "requests stop waiting for a free tag in " + dev, 0.4,
        "the average queue depth is near nr_requests, so submitters block before the "
        "scheduler can merge or reorder");
  }
  if (!dev.empty()) scheduler_rule(b, dev, add);
  if (b.rule == "io-stall" && b.component == "host:host") writeback_rule(add);
  std::string cause = cgroup_of(b.cause);
  if (cause.empty()) return;
  const std::string why = b.cause +
                          " issues most of the I/O; a lower weight makes the I/O controller "
                          "favour others when the device is contended";
  // v2 io.weight reads "default 100"; v1 has a weight only under BFQ.
  // Neither is proposed where nothing divides the device by weight.
  const bool iocost = iocost_on(add, dev), bfq = bfq_on(add, dev);
  const Proposer bfq_weight = lower_to_quarter(25);
  add.add_first("io-hog",
                {{cgroup_knob(cause, "io.weight"),
                  [iocost](const std::optional<std::string>& cur) -> std::optional<std::string> {
                    double v = cur ? weight_value(*cur) : 0;
                    if (!iocost || !(v > 25)) return std::nullopt;
                    return "default " + fmt_num(std::max(25.0, std::floor(v / 4)));
                  },
                  "default 100"},
                 {cgroup_knob(cause, "blkio.bfq.weight"),
                  [bfq, bfq_weight](const std::optional<std::string>& cur) {
                    return bfq ? bfq_weight(cur) : std::nullopt;
                  },
                  "100"}},
                "io", weight_gain(b, b.cause, false), 0.4, why,
                cause == "/" ? root_advice(b, "io.weight or blkio.bfq.weight") : "");
  io_throttle_rule(b, dev, cause, add);
}

}  // namespace kpulse::analytics::rules
