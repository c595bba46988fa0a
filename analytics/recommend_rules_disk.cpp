// Disk rules: the device's request pool and I/O scheduler, the host's
// writeback thresholds, and the weight or bandwidth cap of the cgroup causing
// the I/O.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

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

// One direction's bandwidth cap: its measured rate and half of it.
struct DirectionCap {
  const char* name;     // "reads", "writes", "I/O" (both, split unknown)
  const char* v1_file;  // the v1 file that caps this direction
  double rate = 0;      // bytes/s the cause moved this way
  double cap = 0;       // bytes/s proposed
  [[nodiscard]] bool capped() const { return cap > 0; }
};

// A cap on the cause's bandwidth on the saturated device works on every
// layout and scheduler (v2 io.max, v1 blkio.throttle), where weights need an
// I/O controller that divides by weight. Each direction the cause uses (a
// tenth of its bytes or more) is capped at half its measured rate: the queue
// it builds falls with the bytes the caps hold back. A cap on a direction it
// does not use holds back nothing (a read storm capped on its writes stays a
// storm), so that direction is left uncapped. Where the split is not known,
// both directions get half the total and v1 its write file.
void io_throttle_rule(const Bottleneck& b, const std::string& dev, const std::string& cause,
                      Builder& add) {
  if (dev.empty() || cause == "/" || !(b.cause_usage > 0)) return;
  auto majmin = add.read(block_knob(dev, "dev"));
  if (!majmin || majmin->empty()) return;
  const double total = b.cause_usage;
  const bool split = b.cause_read_share >= 0 && b.cause_read_share <= 1;
  DirectionCap reads{"reads", "blkio.throttle.read_bps_device"};
  DirectionCap writes{"writes", "blkio.throttle.write_bps_device"};
  auto set = [total](DirectionCap& d, double rate) {
    d.rate = rate;
    if (rate >= 0.1 * total) d.cap = std::max(1048576.0, std::floor(rate / 2));
  };
  if (split) {
    set(reads, total * b.cause_read_share);
    set(writes, total * (1 - b.cause_read_share));
  } else {
    reads.cap = writes.cap = std::max(1048576.0, std::floor(total / 2));
  }
  const std::string id = *majmin;
  // Bytes per second that `caps` hold back, and the queue that is left.
  auto gain = [&b, dev, total](const std::vector<DirectionCap>& caps) -> Gain {
    double held = 0;
    std::string what;
    for (const auto& c : caps) {
      held += std::max(0.0, c.rate - c.cap);
      char part[96];
      std::snprintf(part, sizeof part, "%s %.1f MiB/s capped at %.1f MiB/s", c.name,
                    c.rate / 1048576, c.cap / 1048576);
      what += (what.empty() ? "" : ", ") + std::string(part);
    }
    const double share = std::clamp(b.cause_share, 0.0, 1.0);
    const double left = 1 - share * std::min(1.0, held / total);
    const Evidence* e = gain_signal(b, {"queue_depth", "device_latency_p99"});
    std::string rate = b.cause + "'s " + what;
    if (!e) return rate;
    return {e->signal + " of " + dev + " " + model::format(e->value, e->unit) + " -> about " +
                model::format(e->value * left, e->unit) + " (" + rate + ", " + percent(share) +
                " of " + dev + "'s I/O)",
            {e->signal, e->component, e->value, e->value * left, false}};
  };
  auto propose = [id](const std::string& value) {
    return [id, value](const std::optional<std::string>& cur) -> std::optional<std::string> {
      if (!cur) return std::nullopt;
      if (cur->find(id + " ") != std::string::npos) return std::nullopt;  // already capped
      return id + " " + value;
    };
  };
  auto limit = [](const DirectionCap& d) { return d.capped() ? fmt_num(d.cap) : "max"; };
  const std::string v2_value = "rbps=" + limit(reads) + " wbps=" + limit(writes);
  std::vector<DirectionCap> v2_caps;
  if (!split) {
    DirectionCap both{"I/O", "", total, reads.cap};
    v2_caps.push_back(both);
  } else {
    for (const auto& d : {reads, writes})
      if (d.capped()) v2_caps.push_back(d);
  }
  const std::string why = b.cause + " moves most of the bytes on " + dev +
                          "; a bandwidth cap leaves the device's queue to the others (it also "
                          "caps " +
                          b.cause + " when the device is idle)";
  // cgroup2 caps both directions in one io.max line; v1 has a file for each,
  // so a cause that reads and writes gets two (the dedup by knob keeps one
  // io.max recommendation).
  for (const auto* d : {&reads, &writes}) {
    if (!d->capped() || (!split && d == &reads)) continue;
    const DirectionCap one = split ? *d : v2_caps.front();
    add.add_first(
        "io-hog-cap",
        {{cgroup_knob(cause, "io.max"), propose(v2_value), ""},
         {cgroup_knob(cause, d->v1_file), propose(fmt_num(d->cap)), ""}},
        "io",
        [gain, v2_caps, one](const std::string&, const std::string& to) {
          // io.max's value holds "rbps=": the v2 line with all its caps.
          return gain(to.find("rbps=") != std::string::npos ? v2_caps
                                                            : std::vector<DirectionCap>{one});
        },
        0.35, why, "");
  }
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
  // A cgroup stalled on its own I/O (the cause is the victim) gains nothing
  // from a lower weight or a cap of its own: it would only wait longer (seen
  // live: a cgroup thrashing at its memory limit was told to lower its own
  // blkio weight for "psi_io_some 42% -> about 17%"). Its remedy is what
  // makes it do the I/O, which another rule names when it can.
  if (cause.empty() || b.cause == b.component) return;
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
