// CPU and memory rules: quotas, weights and memory limits of the cgroups a
// bottleneck names, and the host's reclaim watermark.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "analytics/recommend_rules.h"
#include "model/format.h"

namespace kpulse::analytics::rules {

namespace {

// How far to raise a throttled cgroup's quota, and whether that ends the
// throttling.
struct QuotaRaise {
  double factor = 1.5;
  bool covers = false;
  std::string why;
};

// A throttled cgroup asks for what it ran plus what its queues waited out
// throttled (an upper bound: see CpuDemand). A quota 10% over that ends the
// throttling, up to all of the host's CPUs. Without the throttled time, or
// when the demand fits the quota on average (bursts inside a period), a
// +50% step, which makes throttling rarer but is not sized by anything.
// (The rule was a flat +50% said to bring throttling to two thirds; a cgroup
// asking for 2 CPUs under a 0.2-CPU quota stayed throttled in every period.)
QuotaRaise quota_raise(const Bottleneck& b) {
  const CpuDemand& d = b.cpu;
  QuotaRaise r;
  const double demand = std::min(d.used + d.throttled, d.cpus);
  char buf[160];
  if (!(d.quota > 0) || !std::isfinite(demand) || demand <= d.quota) {
    r.why = "a +50% step: bursts inside a period, not a measured demand, hit the quota";
    return r;
  }
  const double target = std::min(demand * 1.1, d.cpus);
  r.factor = std::max(1.1, target / d.quota);
  r.covers = d.quota * r.factor >= demand;
  std::snprintf(buf, sizeof buf,
                "it asked for up to %.2f CPUs: it ran %.2f and waited %.2f throttled; the quota "
                "goes from %.2f to %.2f CPUs",
                demand, d.used, demand - d.used, d.quota, d.quota * r.factor);
  r.why = buf;
  return r;
}

}  // namespace

void cpu_rules(const Bottleneck& b, Builder& add) {
  std::string victim = cgroup_of(b.component);
  std::string cause = cgroup_of(b.cause);
  if (b.rule == "cpu-throttled" && !victim.empty()) {
    const QuotaRaise raise = quota_raise(b);
    auto throttled = [&b, raise](const std::string&, const std::string&) -> Gain {
      const Evidence* e = gain_signal(b, {"cpu_throttled"});
      if (!e) return "throttled periods fall as the quota covers its demand";
      const std::string now =
          "throttled in " + model::format(e->value, e->unit) + " of its quota periods -> ";
      if (raise.covers)
        return {now + "under " + model::format(e->limit, e->unit) + " (" + raise.why + ")",
                {e->signal, e->component, e->value, e->limit, true}};
      return {now + "fewer, not none (" + raise.why + ")",
              {e->signal, e->component, e->value, e->value, true}};
    };
    const double factor = raise.factor;
    add.add_first(
        "cpu-quota-throttling",
        {{cgroup_knob(victim, "cpu.max"),
          [factor](const std::optional<std::string>& cur) -> std::optional<std::string> {
            if (!cur) return std::nullopt;
            std::istringstream in(*cur);
            std::string quota;
            double period = 0;
            in >> quota >> period;
            if (quota == "max" || !(period > 0)) return std::nullopt;
            double q = std::strtod(quota.c_str(), nullptr);
            if (!(q > 0)) return std::nullopt;
            return fmt_num(std::ceil(q * factor)) + " " + fmt_num(period);
          },
          ""},
         {cgroup_knob(victim, "cpu.cfs_quota_us"), raise_to(0, factor, 1e12), ""}},
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

namespace {

constexpr double kMiB = 1048576;
// A measured raise is at least +10% (a smaller one is lost in the next
// interval's noise) and at most double: refaults count a page each time it
// comes back, and a victim's size says nothing of what it would have grown
// to, so the larger measurements overstate; the next alert asks again.
constexpr double kMinRaise = 1.10, kMaxRaise = 2.0;
// The step when nothing measured sizes the raise.
constexpr double kStep = 1.25;

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MiB", bytes / kMiB);
  return buf;
}

std::string whole_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f s", s);
  return buf;
}

// What the measurement says the limit must hold (NaN: nothing sized it), and
// the words for where that came from.
struct Need {
  double bytes = model::kNaN;
  std::string from;
};

Need memory_need(const Bottleneck& b) {
  const MemoryDemand& m = b.memory;
  if (b.rule == "oom-kill") {
    // The kill came at the limit, the victim's pages part of the charge: room
    // for as much again lets it regrow to what it held, plus that again.
    if (m.killed_rss > 0 && m.limit > 0) {
      std::string who;
      for (const auto& k : m.killed) who += (who.empty() ? "" : ", ") + k;
      return {m.limit + m.killed_rss,
              "the OOM killer's victim " + who + ", which held " +
                  model::format(m.killed_rss, model::Unit::Bytes) +
                  " when last seen: room for it once more (the kernel does not say how much "
                  "more the cgroup asked for)"};
    }
    return {};
  }
  // Page cache the limit evicted and the cgroup then read again: what its
  // working set has beyond the limit, at most (a page that came back twice
  // counts twice).
  if (m.refaulted > 0 && m.usage > 0)
    return {m.usage + m.refaulted, "its " + mib(m.usage) + " in use plus the " +
                                       model::format(m.refaulted, model::Unit::Bytes) +
                                       " of page cache it read back after eviction in the last " +
                                       whole_seconds(m.span_s) + " (cgroup.memory.refaults)"};
  return {};
}

// Why nothing measured sizes the raise.
std::string why_a_step(const Bottleneck& b) {
  const MemoryDemand& m = b.memory;
  if (b.rule == "oom-kill")
    return "the OOM killer's victim was not seen before the kill, and the kernel does not say "
           "how much more the cgroup asked for";
  if (m.refaulted == 0)
    return "it read no evicted page cache back in the last " + whole_seconds(m.span_s) +
           ": what it lacks is anonymous or kernel memory, which refaults do not size";
  return "the kernel does not report this cgroup's refaults";
}

// The value to write into a limit that reads `cur`, and which bound set it.
struct Sized {
  double to = model::kNaN;
  std::string bound;  // "" when the need itself
};

Sized size_limit(double cur, const Need& need, const MemoryDemand& m) {
  Sized s;
  if (std::isnan(need.bytes)) {
    s.to = std::ceil(cur * kStep);
  } else {
    if (cur >= need.bytes) return s;  // it already holds the need
    s.to = need.bytes;
    if (s.to < cur * kMinRaise) s.to = cur * kMinRaise, s.bound = "raised to the +10% minimum";
    if (s.to > cur * kMaxRaise) s.to = cur * kMaxRaise, s.bound = "capped at twice the limit";
    s.to = std::ceil(s.to / kMiB) * kMiB;
  }
  // Never more than the host could give: half of its available memory (the
  // rest stays for everyone else) above the current value, and its RAM.
  double cap = std::isfinite(m.host_available) ? cur + m.host_available / 2
                                               : std::numeric_limits<double>::infinity();
  if (m.host_total > 0) cap = std::min(cap, m.host_total);
  if (s.to > cap)
    s.to = std::floor(cap / kMiB) * kMiB, s.bound = "capped at what the host has free";
  if (!(s.to > cur)) s.to = model::kNaN;
  return s;
}

}  // namespace

void memory_rules(const Bottleneck& b, Builder& add) {
  std::string cg = cgroup_of(b.component);
  if (!cg.empty() && (b.rule == "oom-kill" || b.rule == "memory-pressure")) {
    const Evidence* e = gain_signal(b, {"reclaim_stall", "psi_memory_some", "oom_kills"});
    const Need need = memory_need(b);
    const MemoryDemand demand = b.memory;
    Proposer propose =
        [need, demand](const std::optional<std::string>& cur) -> std::optional<std::string> {
      auto v = number(cur);
      if (!v || !(*v > 0)) return std::nullopt;
      Sized s = size_limit(*v, need, demand);
      if (std::isnan(s.to)) return std::nullopt;
      return fmt_num(s.to);
    };
    const std::string step_reason = why_a_step(b);
    auto gain = [e, cg, need, demand, step_reason](const std::string& from,
                                                   const std::string& to) -> Gain {
      double f = std::strtod(from.c_str(), nullptr), t = std::strtod(to.c_str(), nullptr);
      std::string s;
      if (!(f > 0 && t > f))
        s = std::isnan(need.bytes) ? "limit +25%" : "limit up to " + mib(need.bytes);
      else
        s = "limit " + mib(f) + " -> " + mib(t);
      if (std::isnan(need.bytes)) {
        s += ": a +25% step, not a measurement (" + step_reason + ")";
      } else {
        s += ", sized from " + need.from;
        if (f > 0) {
          const std::string bound = size_limit(f, need, demand).bound;
          if (!bound.empty()) s += "; " + bound;
        }
      }
      // OOM kills have a limit of next to nothing (any kill counts): "under
      // 1e-09/s" is how a number says none.
      const std::string after = e && e->signal == "oom_kills" ? "none"
                                : e ? "under " + model::format(e->limit, e->unit)
                                    : "";
      if (!e) return s;
      s += "; " + e->signal + " of " + cg + " " + model::format(e->value, e->unit) + " -> ";
      // Only a limit that holds what was measured promises the stalls end;
      // one capped short of it, or a step, promises fewer (seen live: a
      // 192 MiB scan under 64 -> 128 MiB stalled 13% -> 10%, not under 5%).
      if (t >= need.bytes)
        return {s + after + " if the working set fits",
                {e->signal, e->component, e->value, e->limit, true}};
      return {s + "fewer, not " + after +
                  (std::isnan(need.bytes) ? ": unsized"
                                          : ": short of the " + mib(need.bytes) + " measured"),
              {e->signal, e->component, e->value, e->value, true}};
    };
    const bool oom = b.rule == "oom-kill";
    const std::string why =
        "the limit bounds the cgroup; it stalls in reclaim (or is OOM-killed) when its working "
        "set outgrows it";
    for (const char* file : {"memory.high", "memory.max"})
      add.add_first(oom ? "oom-limit" : "memory-limit-pressure",
                    {{cgroup_knob(cg, file), propose, ""},
                     {cgroup_knob(cg, "memory.limit_in_bytes"), propose, ""}},
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

}  // namespace kpulse::analytics::rules
