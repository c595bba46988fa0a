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
    out += e.component + " " + e.signal + "=" + format_evidence_value(e.value, e.unit) +
           " (baseline " + format_evidence_value(e.baseline, e.unit) + ", limit " +
           format_evidence_value(e.limit, e.unit) + ", score " + score + ")";
  }
  return out;
}

class Builder {
 public:
  Builder(const Bottleneck& b, const KnobReader& read, std::vector<Recommendation>& out)
      : b_(b), read_(read), out_(out) {}

  // The current value of another knob a rule depends on.
  std::optional<std::string> read(const Knob& k) const { return read_ ? read_(k) : std::nullopt; }

  // Adds a recommendation unless the knob is unreadable or already there.
  void add(
      std::string scenario, Knob knob,
      const std::function<std::optional<std::string>(const std::optional<std::string>&)>& propose,
      std::string gain, double confidence, std::string rationale) {
    auto current = read_ ? read_(knob) : std::nullopt;
    auto proposed = propose(current);
    if (!proposed || (current && *current == *proposed)) return;
    Recommendation r;
    std::string target = knob.kind == KnobKind::Cgroup  ? knob.cgroup
                         : knob.kind == KnobKind::Block ? knob.device
                                                        : knob.netns;
    r.id = scenario + ":" + (target.empty() ? "host" : target) + ":" + knob.name;
    r.scenario = std::move(scenario);
    r.knob = std::move(knob);
    r.current_value = current.value_or("");
    r.proposed_value = *proposed;
    r.evidence = evidence_text(b_);
    r.expected_gain = std::move(gain);
    r.confidence = confidence;
    r.rationale = std::move(rationale);
    r.bottleneck_id = b_.id;
    out_.push_back(std::move(r));
  }

 private:
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

void cpu_rules(const Bottleneck& b, Builder& add) {
  std::string victim = cgroup_of(b.component);
  std::string cause = cgroup_of(b.cause);
  if (b.rule == "cpu-throttled" && !victim.empty()) {
    // cpu.max reads "QUOTA PERIOD" or "max PERIOD".
    add.add(
        "cpu-quota-throttling", cgroup_knob(victim, "cpu.max"),
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
        "throttled time of " + victim + " falls as the quota covers its demand", 0.7,
        "the cgroup spends much of each period throttled: its quota, not the CPUs, limits "
        "it");
    return;
  }
  if (!victim.empty()) {
    std::string why = "the cgroup waits for CPU while " + (b.cause.empty() ? "others" : b.cause) +
                      " runs; a higher weight gives it a larger share under contention";
    std::string gain = "run-queue latency of " + victim + " back toward its baseline";
    // cgroup v2 cpu.weight; where the cpu controller is on v1 (hybrid hosts)
    // the same share is cpu.shares (default 1024 where cpu.weight is 100).
    if (add.read(cgroup_knob(victim, "cpu.weight")))
      add.add("cpu-contention", cgroup_knob(victim, "cpu.weight"), raise_to(200, 2, 10000), gain,
              0.6, why);
    else
      add.add("cpu-contention", cgroup_knob(victim, "cpu.shares"), raise_to(2048, 2, 262144), gain,
              0.6, why);
  }
  if (!cause.empty() && cause != victim) {
    add.add(
        "cpu-hog", cgroup_knob(cause, "cpu.weight"),
        [](const std::optional<std::string>& cur) -> std::optional<std::string> {
          auto v = number(cur);
          if (!v || *v <= 25) return std::nullopt;
          return fmt_num(std::max(25.0, std::floor(*v / 4)));
        },
        "CPU share of " + cause + " yields to the waiting cgroups", 0.5,
        cause +
            " is the top CPU consumer while others queue; a lower weight makes it "
            "yield without capping it when the CPUs are free");
  }
}

void memory_rules(const Bottleneck& b, Builder& add) {
  std::string cg = cgroup_of(b.component);
  if (!cg.empty() && (b.rule == "oom-kill" || b.rule == "memory-pressure")) {
    for (const char* file : {"memory.high", "memory.max"}) {
      add.add(b.rule == "oom-kill" ? "oom-limit" : "memory-limit-pressure", cgroup_knob(cg, file),
              raise_to(0, 1.25, 1e18),
              "fewer reclaim stalls and OOM kills in " + cg + " (limit +25%)",
              b.rule == "oom-kill" ? 0.6 : 0.4,
              std::string(file) +
                  " bounds the cgroup; it stalls in reclaim (or is OOM-killed) "
                  "when its working set outgrows the limit");
    }
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
  if (!cause.empty()) {
    add.add(
        "io-hog", cgroup_knob(cause, "io.weight"),
        [](const std::optional<std::string>& cur) -> std::optional<std::string> {
          // io.weight reads "default 100".
          if (!cur) return std::nullopt;
          auto pos = cur->find("default ");
          double v = pos == std::string::npos ? std::strtod(cur->c_str(), nullptr)
                                              : std::strtod(cur->c_str() + pos + 8, nullptr);
          if (!(v > 25)) return std::nullopt;
          return "default " + fmt_num(std::max(25.0, std::floor(v / 4)));
        },
        "other cgroups' I/O latency on the busy device falls", 0.4,
        cause +
            " issues most of the I/O; a lower io.weight makes the I/O controller favour "
            "others when the device is contended");
  }
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
