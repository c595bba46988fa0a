// CPU and memory rules: quotas, weights and memory limits of the cgroups a
// bottleneck names, and the host's reclaim watermark.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "analytics/recommend_rules.h"
#include "model/format.h"

namespace kpulse::analytics::rules {

void cpu_rules(const Bottleneck& b, Builder& add) {
  std::string victim = cgroup_of(b.component);
  std::string cause = cgroup_of(b.cause);
  if (b.rule == "cpu-throttled" && !victim.empty()) {
    // cpu.max reads "QUOTA PERIOD" or "max PERIOD"; v1 splits it in two files.
    auto throttled = [&b](const std::string&, const std::string&) {
      const Evidence* e = gain_signal(b, {"cpu_throttled"});
      return e ? "throttled in " + model::format(e->value, e->unit) +
                     " of its quota periods -> about " + model::format(e->value / 1.5, e->unit) +
                     " or less (the quota covers 1.5x the demand it met)"
               : std::string("throttled periods fall as the quota covers its demand");
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
      // OOM kills have a limit of next to nothing (any kill counts): "under
      // 1e-09/s" is how a number says none.
      const std::string after = e && e->signal == "oom_kills" ? "none"
                                : e ? "under " + model::format(e->limit, e->unit)
                                    : "";
      if (e)
        s += "; " + e->signal + " of " + cg + " " + model::format(e->value, e->unit) + " -> " +
             after + " if the working set fits";
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

}  // namespace kpulse::analytics::rules
