#include "analytics/recommend.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "analytics/alert.h"

namespace kpulse::analytics {

std::string_view to_string(KnobKind k) {
  switch (k) {
    case KnobKind::Sysctl:
      return "sysctl";
    case KnobKind::Cgroup:
      return "cgroup";
    case KnobKind::Block:
      return "block";
  }
  return "?";
}

std::string Knob::path(std::string_view cgroup_root) const {
  switch (kind) {
    case KnobKind::Sysctl: {
      std::string p = "/proc/sys/" + name;
      std::replace(p.begin() + 10, p.end(), '.', '/');
      return p;
    }
    case KnobKind::Cgroup: {
      std::string p(cgroup_root);
      // cgroup v1 files live in their controller's hierarchy below the
      // cgroup mount point (/sys/fs/cgroup/cpu/<cgroup>/cpu.shares).
      if (name == "cpu.shares" || name == "cpu.cfs_quota_us") p += "/cpu";
      if (name == "memory.limit_in_bytes") p += "/memory";
      if (name.rfind("blkio.", 0) == 0) p += "/blkio";
      if (cgroup != "/") p += cgroup;
      return p + "/" + name;
    }
    case KnobKind::Block:
      return "/sys/block/" + device + "/" + name;
  }
  return {};
}

std::optional<std::string> read_knob_from_host(const Knob& knob) {
  // Another namespace's sysctls are only visible from inside it.
  if (knob.kind == KnobKind::Sysctl && !knob.netns.empty()) return std::nullopt;
  std::ifstream in(knob.path());
  // Hybrid hosts mount cgroup2 at /sys/fs/cgroup/unified.
  if (!in && knob.kind == KnobKind::Cgroup) in.open(knob.path("/sys/fs/cgroup/unified"));
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string v = ss.str();
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

namespace {

// "cgroup:/a/b" -> "/a/b"; "" for other kinds.
std::string cgroup_of(const std::string& key) {
  constexpr std::string_view kPrefix = "cgroup:";
  return key.compare(0, kPrefix.size(), kPrefix) == 0 ? key.substr(kPrefix.size()) : "";
}
std::string device_of(const std::string& key) {
  constexpr std::string_view kPrefix = "disk:";
  return key.compare(0, kPrefix.size(), kPrefix) == 0 ? key.substr(kPrefix.size()) : "";
}

std::optional<double> number(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s->c_str(), &end);
  if (end == s->c_str()) return std::nullopt;
  return v;
}

std::string fmt_num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string evidence_text(const Bottleneck& b) {
  std::string out;
  for (const auto& e : b.evidence) {
    if (!out.empty()) out += "; ";
    char score[16];
    std::snprintf(score, sizeof score, "%.2f", e.score);
    out += e.component + " " + e.signal + "=" + model::format(e.value, e.unit) + " (baseline " +
           model::format(e.baseline, e.unit) + ", limit " + model::format(e.limit, e.unit) +
           ", score " + score + ")";
  }
  return out;
}

using Proposer = std::function<std::optional<std::string>(const std::optional<std::string>&)>;
// The expected gain of moving a knob from one value to another.
using GainFn = std::function<std::string(const std::string& from, const std::string& to)>;

// One way to turn a knob: the cgroup v2 file or its v1 counterpart.
struct Option {
  Knob knob;
  Proposer propose;
  std::string default_value;  // what the knob reads when never set
};

class Builder {
 public:
  Builder(const Bottleneck& b, const KnobReader& read, std::vector<Recommendation>& out)
      : b_(b), read_(read), out_(out) {}

  // The current value of another knob a rule depends on.
  std::optional<std::string> read(const Knob& k) const { return read_ ? read_(k) : std::nullopt; }

  // Adds a recommendation unless the knob is unreadable or already there.
  void add(std::string scenario, Knob knob, const Proposer& propose, std::string gain,
           double confidence, std::string rationale) {
    auto current = read(knob);
    auto proposed = propose(current);
    if (!proposed || (current && *current == *proposed)) return;
    push(std::move(scenario), std::move(knob), current.value_or(""), *proposed, std::move(gain),
         confidence, std::move(rationale));
  }

  // The first option whose knob reads here; when none does (the cgroup lacks
  // the file in this layout), advice on the option that fits the layout,
  // proposed from the knob's default. `controller` is the cgroup v2
  // controller the first option needs: a cgroup2 directory without it means
  // the controller lives on v1 (hybrid host).
  void add_first(const std::string& scenario, const std::vector<Option>& options,
                 const std::string& controller, const GainFn& gain, double confidence,
                 const std::string& rationale, const std::string& advice) {
    if (options.empty()) return;
    if (advice.empty())
      for (const auto& o : options)
        if (auto cur = read(o.knob)) {
          auto proposed = o.propose(cur);
          if (proposed && *proposed != *cur)
            push(scenario, o.knob, *cur, *proposed, gain(*cur, *proposed), confidence, rationale);
          return;  // readable: either a change or already tuned
        }
    const Option* pick = &options.front();
    auto controllers = read(cgroup_file(options.front().knob.cgroup, "cgroup.controllers"));
    if (options.size() > 1 && controllers &&
        (" " + *controllers + " ").find(" " + controller + " ") == std::string::npos)
      pick = &options[1];
    auto proposed = pick->propose(pick->default_value);
    if (!proposed) return;
    push(scenario, pick->knob, "", *proposed, gain(pick->default_value, *proposed), confidence / 2,
         rationale);
    Recommendation& r = out_.back();
    r.advice_only = true;
    r.advice = !advice.empty() ? advice
                               : r.knob.name + " of " + r.knob.cgroup +
                                     " is not readable here (the cgroup is not in that "
                                     "controller's hierarchy): create it there and move the "
                                     "cgroup's processes in, then set it";
  }

 private:
  static Knob cgroup_file(const std::string& cgroup, std::string name) {
    Knob k;
    k.kind = KnobKind::Cgroup;
    k.cgroup = cgroup;
    k.name = std::move(name);
    return k;
  }
  void push(std::string scenario, Knob knob, std::string current, std::string proposed,
            std::string gain, double confidence, std::string rationale) {
    Recommendation r;
    std::string target = knob.kind == KnobKind::Cgroup  ? knob.cgroup
                         : knob.kind == KnobKind::Block ? knob.device
                                                        : knob.netns;
    r.id = scenario + ":" + (target.empty() ? "host" : target) + ":" + knob.name;
    r.scenario = std::move(scenario);
    r.knob = std::move(knob);
    r.current_value = std::move(current);
    r.proposed_value = std::move(proposed);
    r.evidence = evidence_text(b_);
    r.expected_gain = std::move(gain);
    r.confidence = confidence;
    r.rationale = std::move(rationale);
    r.bottleneck_id = b_.id;
    out_.push_back(std::move(r));
  }

  const Bottleneck& b_;
  const KnobReader& read_;
  std::vector<Recommendation>& out_;
};

Knob cgroup_knob(const std::string& cgroup, std::string name) {
  Knob k;
  k.kind = KnobKind::Cgroup;
  k.cgroup = cgroup;
  k.name = std::move(name);
  return k;
}
Knob sysctl_knob(std::string name) {
  Knob k;
  k.kind = KnobKind::Sysctl;
  k.name = std::move(name);
  return k;
}

// Raises a numeric knob to at least `floor` and at least `factor` times its value.
auto raise_to(double floor, double factor, double cap) {
  return [=](const std::optional<std::string>& cur) -> std::optional<std::string> {
    auto v = number(cur);
    if (!v) return std::nullopt;
    double want = std::min(cap, std::max(floor, std::ceil(*v * factor)));
    if (want <= *v) return std::nullopt;
    return fmt_num(want);
  };
}

std::string percent(double share) {
  return model::format(share, model::Unit::Ratio);
}

// The evidence a gain is stated on: the first of `prefer` present, else the worst.
const Evidence* gain_signal(const Bottleneck& b, std::initializer_list<std::string_view> prefer) {
  for (auto name : prefer)
    for (const auto& e : b.evidence)
      if (e.signal == name) return &e;
  return b.evidence.empty() ? nullptr : &b.evidence.front();
}

// The signal a resource's waits are stated in, when the evidence has it.
std::string_view wait_signal(Resource r) {
  return r == Resource::Cpu ? "runq_latency_p99" : r == Resource::Disk ? "queue_depth" : "";
}

// A weight knob's number: "100", or io.weight's "default 100".
double weight_value(const std::string& v) {
  auto pos = v.find("default ");
  return std::strtod(v.c_str() + (pos == std::string::npos ? 0 : pos + 8), nullptr);
}

// The CPU and I/O controllers divide a contended resource among busy groups
// by weight, and a waiting task waits out the other groups' turns, so its
// wait scales with their share. The cause held `share` of the host's use;
// multiplying its weight against everyone else's by `factor` moves it to
// share*f / (share*f + 1 - share), and the measured wait by the same ratio.
std::string share_gain(const Bottleneck& b, double factor, const std::string& who) {
  const double share = std::clamp(b.cause_share > 0 ? b.cause_share : 0.5, 0.05, 0.95);
  const double after = share * factor / (share * factor + 1 - share);
  const Evidence* e = gain_signal(b, {wait_signal(b.resource)});
  std::string shares =
      who + "'s share of the contended resource " + percent(share) + " -> " + percent(after);
  if (!e) return shares;
  return e->signal + " of " + e->component + " " + model::format(e->value, e->unit) + " -> about " +
         model::format(e->value * after / share, e->unit) + " (" + shares + ")";
}

GainFn weight_gain(const Bottleneck& b, const std::string& who, bool raises_victim) {
  return [&b, who, raises_victim](const std::string& from, const std::string& to) {
    double f = weight_value(from), t = weight_value(to);
    if (!(f > 0) || !(t > 0)) return std::string("waits of the starved side shorten");
    // Raising the victim's weight is lowering everyone else's against it.
    return share_gain(b, raises_victim ? f / t : t / f, who);
  };
}

// The cause's processes when it is the root cgroup itself: no weight to
// lower there, the processes must move first.
std::string root_advice(const Bottleneck& b, const std::string& knobs) {
  std::string procs;
  for (const auto& p : b.cause_processes) procs += (procs.empty() ? "" : ", ") + p;
  return "the top consumer is " + (procs.empty() ? std::string("processes") : procs) +
         " in the root cgroup, which has no " + knobs +
         ": move them into a cgroup of their own (systemd-run --scope, or a new cgroup "
         "directory) and set it there";
}

auto lower_to_quarter(double floor) {
  return [floor](const std::optional<std::string>& cur) -> std::optional<std::string> {
    auto v = number(cur);
    if (!v || *v <= floor) return std::nullopt;
    return fmt_num(std::max(floor, std::floor(*v / 4)));
  };
}

void cpu_rules(const Bottleneck& b, Builder& add) {
  std::string victim = cgroup_of(b.component);
  std::string cause = cgroup_of(b.cause);
  if (b.rule == "cpu-throttled" && !victim.empty()) {
    // cpu.max reads "QUOTA PERIOD" or "max PERIOD"; v1 splits it in two files.
    auto throttled = [&b](const std::string&, const std::string&) {
      const Evidence* e = gain_signal(b, {"cpu_throttled"});
      return e ? "throttled " + model::format(e->value, e->unit) + " of the time -> about " +
                     model::format(e->value / 1.5, e->unit) +
                     " or less (the quota covers 1.5x the demand it met)"
               : std::string("throttled time falls as the quota covers its demand");
    };
    add.add_first(
        "cpu-quota-throttling",
        {{cgroup_knob(victim, "cpu.max"),
          [](const std::optional<std::string>& cur) -> std::optional<std::string> {
            if (!cur) return std::nullopt;
            std::istringstream in(*cur);
            std::string quota;
            double period = 0;
            in >> quota >> period;
            if (quota == "max" || !(period > 0)) return std::nullopt;
            double q = std::strtod(quota.c_str(), nullptr);
            if (!(q > 0)) return std::nullopt;
            return fmt_num(std::ceil(q * 1.5)) + " " + fmt_num(period);
          },
          ""},
         {cgroup_knob(victim, "cpu.cfs_quota_us"), raise_to(0, 1.5, 1e12), ""}},
        "cpu", throttled, 0.7,
        "the cgroup spends much of each period throttled: its quota, not the CPUs, limits it", "");
    return;
  }
  if (!victim.empty() && victim != cause) {
    // cgroup v2 cpu.weight (default 100); v1 cpu.shares (default 1024).
    add.add_first("cpu-contention",
                  {{cgroup_knob(victim, "cpu.weight"), raise_to(200, 2, 10000), "100"},
                   {cgroup_knob(victim, "cpu.shares"), raise_to(2048, 2, 262144), "1024"}},
                  "cpu", weight_gain(b, b.cause.empty() ? "the others" : b.cause, true), 0.6,
                  "the cgroup waits for CPU while " + (b.cause.empty() ? "others" : b.cause) +
                      " runs; a higher weight gives it a larger share under contention",
                  "");
  }
  if (!cause.empty() && cause != victim) {
    add.add_first("cpu-hog",
                  {{cgroup_knob(cause, "cpu.weight"), lower_to_quarter(25), "100"},
                   {cgroup_knob(cause, "cpu.shares"), lower_to_quarter(256), "1024"}},
                  "cpu", weight_gain(b, b.cause, false), 0.5,
                  b.cause +
                      " is the top CPU consumer while others queue; a lower weight makes it "
                      "yield without capping it when the CPUs are free",
                  cause == "/" ? root_advice(b, "cpu.weight or cpu.shares") : "");
  }
}

void memory_rules(const Bottleneck& b, Builder& add) {
  std::string cg = cgroup_of(b.component);
  if (!cg.empty() && (b.rule == "oom-kill" || b.rule == "memory-pressure")) {
    const Evidence* e = gain_signal(b, {"reclaim_stall", "psi_memory_some", "oom_kills"});
    auto gain = [e, cg](const std::string& from, const std::string& to) {
      double f = std::strtod(from.c_str(), nullptr), t = std::strtod(to.c_str(), nullptr);
      char room[96] = "";
      if (f > 0 && t > f)
        std::snprintf(room, sizeof room,
                      "limit %.0f MiB -> %.0f MiB (+%.0f MiB for its working set)", f / 1048576,
                      t / 1048576, (t - f) / 1048576);
      std::string s = room[0] ? std::string(room) : "limit +25%";
      if (e)
        s += "; " + e->signal + " of " + cg + " " + model::format(e->value, e->unit) +
             " -> under " + model::format(e->limit, e->unit) + " if the working set fits";
      return s;
    };
    const bool oom = b.rule == "oom-kill";
    const std::string why =
        "the limit bounds the cgroup; it stalls in reclaim (or is OOM-killed) when its working "
        "set outgrows it";
    for (const char* file : {"memory.high", "memory.max"})
      add.add_first(oom ? "oom-limit" : "memory-limit-pressure",
                    {{cgroup_knob(cg, file), raise_to(0, 1.25, 1e18), ""},
                     {cgroup_knob(cg, "memory.limit_in_bytes"), raise_to(0, 1.25, 1e18), ""}},
                    "memory", gain, oom ? 0.6 : 0.4, why, "");
    return;
  }
  if (cg.empty()) {
    add.add("memory-reclaim", sysctl_knob("vm.watermark_scale_factor"), raise_to(50, 2, 1000),
            "kswapd reclaims earlier, so fewer tasks stall in direct reclaim", 0.4,
            "direct-reclaim stalls mean free memory hits the low watermark; a wider gap lets "
            "background reclaim keep ahead");
  }
}

Knob block_knob(const std::string& dev, std::string name) {
  Knob k;
  k.kind = KnobKind::Block;
  k.device = dev;
  k.name = std::move(name);
  return k;
}

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

void disk_rules(const Bottleneck& b, Builder& add) {
  std::string dev = device_of(b.component);
  if (!dev.empty()) {
    Knob k;
    k.kind = KnobKind::Block;
    k.device = dev;
    k.name = "queue/nr_requests";
    double depth = 0;
    for (const auto& e : b.evidence)
      if (e.signal == "queue_depth") depth = e.value;
    add.add(
        "disk-queue-full", k,
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
  add.add_first("io-hog",
                {{cgroup_knob(cause, "io.weight"),
                  [](const std::optional<std::string>& cur) -> std::optional<std::string> {
                    double v = cur ? weight_value(*cur) : 0;
                    if (!(v > 25)) return std::nullopt;
                    return "default " + fmt_num(std::max(25.0, std::floor(v / 4)));
                  },
                  "default 100"},
                 {cgroup_knob(cause, "blkio.bfq.weight"), lower_to_quarter(25), "100"}},
                "io", weight_gain(b, b.cause, false), 0.4, why,
                cause == "/" ? root_advice(b, "io.weight or blkio.bfq.weight") : "");
  io_throttle_rule(b, dev, cause, add);
}

void network_rules(const Bottleneck& b, Builder& add) {
  if (b.rule == "listen-overflow") {
    add.add("listen-backlog", sysctl_knob("net.core.somaxconn"), raise_to(4096, 1, 65535),
            "fewer connections dropped at accept", 0.6,
            "accept queues overflow; somaxconn caps every listen() backlog (the application "
            "must also ask for a larger backlog)");
    add.add("listen-backlog", sysctl_knob("net.ipv4.tcp_max_syn_backlog"), raise_to(4096, 1, 65535),
            "fewer SYNs dropped during bursts", 0.4,
            "half-open connections wait here before the accept queue");
  } else if (b.rule == "tcp-loss") {
    add.add(
        "tcp-loss", sysctl_knob("net.ipv4.tcp_congestion_control"),
        [](const std::optional<std::string>& cur) -> std::optional<std::string> {
          if (!cur || *cur == "bbr") return std::nullopt;
          return std::string("bbr");
        },
        "throughput under random loss holds up instead of halving per loss", 0.35,
        "retransmits show loss on the path; loss-based congestion control (cubic) backs off "
        "on every loss, BBR paces to the measured bandwidth (needs tcp_bbr loaded)");
  } else if (b.rule == "network-saturation") {
    // SO_RCVBUF/SO_SNDBUF are capped by the core maxima, autotuning by
    // tcp_[rw]mem: a core maximum below the TCP one caps applications that
    // size their buffers themselves.
    for (auto [core, tcp] : {std::pair{"net.core.rmem_max", "net.ipv4.tcp_rmem"},
                             std::pair{"net.core.wmem_max", "net.ipv4.tcp_wmem"}}) {
      auto tcp_raw = add.read(sysctl_knob(tcp));
      double tcp_max = 0;
      if (tcp_raw) {
        std::istringstream in(*tcp_raw);
        double mn = 0, def = 0;
        in >> mn >> def >> tcp_max;
      }
      if (!(tcp_max > 0)) continue;
      add.add("tcp-buffer-ceiling", sysctl_knob(core), raise_to(tcp_max, 1, 64.0 * 1024 * 1024),
              std::string("applications sizing their socket buffers get up to the TCP maximum"),
              0.3,
              std::string(core) + " is below the maximum of " + tcp +
                  ": explicit SO_RCVBUF/SO_SNDBUF requests are capped at the smaller value");
    }
  } else if (b.rule == "packet-drops") {
    add.add("rx-backlog", sysctl_knob("net.core.netdev_max_backlog"), raise_to(2000, 2, 65536),
            "fewer packets dropped between the driver and the stack", 0.3,
            "drops at the interface while the per-CPU input queue fills");
  }
}

}  // namespace

std::vector<Recommendation> recommend(const std::vector<Bottleneck>& bottlenecks,
                                      const KnobReader& read) {
  std::vector<Recommendation> out;
  for (const auto& b : bottlenecks) {
    Builder add(b, read, out);
    switch (b.resource) {
      case Resource::Cpu:
        cpu_rules(b, add);
        break;
      case Resource::Memory:
        memory_rules(b, add);
        break;
      case Resource::Disk:
        disk_rules(b, add);
        break;
      case Resource::Network:
        network_rules(b, add);
        break;
    }
  }
  // One recommendation per knob: the first (most severe bottleneck) wins.
  std::vector<Recommendation> unique;
  for (auto& r : out)
    if (std::none_of(unique.begin(), unique.end(),
                     [&](const Recommendation& u) { return u.knob == r.knob; }))
      unique.push_back(std::move(r));
  return unique;
}

}  // namespace kpulse::analytics
