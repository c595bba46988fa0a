// A memory limit's raise is sized from what the kernel measured: the page
// cache a cgroup read back after its limit evicted it, or the size of the
// process the OOM killer took; a fixed step only when neither is there, and
// then the text says so. Synthetic snapshots through the detector and the rules.
#include <unistd.h>

#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "analytics/bottleneck.h"
#include "analytics/recommend.h"
#include "model/listeners_exits.h"

namespace kpulse::analytics {
namespace {

using model::ComponentKind;
using model::MetricId;

constexpr double kMiB = 1048576;

double page_bytes() {
  return static_cast<double>(::sysconf(_SC_PAGESIZE));
}

struct Host {
  double total = 16384 * kMiB;
  double available = 8192 * kMiB;
};

// One 1-s interval of a cgroup at its 64 MiB v1 limit, stalled in reclaim
// 8% of the time, re-reading `refault_mib_per_min` of evicted page cache
// (NaN: the kernel reports no refaults).
model::Snapshot at_limit(int i, double refault_mib_per_min, Host h = {}) {
  model::Snapshot s;
  s.seq = uint64_t(i);
  s.time_ns = (1'700'000'000LL + i) * 1'000'000'000LL;
  s.interval_s = 1;
  model::Component host;
  host.kind = ComponentKind::Host;
  host.id = "host";
  host.set_gauge(MetricId::MemTotal, h.total);
  host.set_gauge(MetricId::MemAvailable, h.available);
  s.components.push_back(host);
  model::Component cg;
  cg.kind = ComponentKind::Cgroup;
  cg.id = "/cache";
  cg.parent = "/";
  cg.set_gauge(MetricId::CgMemCurrent, 63.5 * kMiB);
  cg.set_gauge(MetricId::CgMemMax, 64 * kMiB);
  cg.set_counter(MetricId::MemReclaimStall, 0.08 * (i + 1), 0.08);
  if (!std::isnan(refault_mib_per_min)) {
    const double pages = refault_mib_per_min / 60 * kMiB / page_bytes();
    cg.set_counter(MetricId::CgMemRefaults, pages * (i + 1), pages);
  }
  s.components.push_back(cg);
  return s;
}

KnobReader limit_reads(const std::string& cgroup, double bytes) {
  const std::string path = "/sys/fs/cgroup/memory" + cgroup + "/memory.limit_in_bytes";
  const std::string value = std::to_string(int64_t(bytes));
  return [path, value](const Knob& k) -> std::optional<std::string> {
    if (k.path() == path) return value;
    return std::nullopt;
  };
}

// The one recommendation for `cgroup`'s bottleneck, which must be `rule`,
// its v1 limit reading `limit` bytes.
Recommendation only_recommendation(const std::vector<Bottleneck>& found, const std::string& cgroup,
                                   const std::string& rule, double limit) {
  for (const auto& x : found)
    if (x.component == "cgroup:" + cgroup) {
      EXPECT_EQ(x.rule, rule);
      auto recs = recommend({x}, limit_reads(cgroup, limit));
      EXPECT_EQ(recs.size(), 1u);
      if (!recs.empty()) return recs[0];
    }
  ADD_FAILURE() << "no " << rule << " on " << cgroup;
  return {};
}

// The recommendation after `intervals` seconds of the same pressure.
Recommendation pressure_recommendation(double refault_mib_per_min, Host h = {},
                                       int intervals = 90) {
  BottleneckDetector d;
  std::vector<Bottleneck> b;
  for (int i = 0; i < intervals; ++i) b = d.update(at_limit(i, refault_mib_per_min, h));
  return only_recommendation(b, "/cache", "memory-pressure", 64 * kMiB);
}

double proposed_mib(const Recommendation& r) {
  return std::strtod(r.proposed_value.c_str(), nullptr) / kMiB;
}

bool says(const Recommendation& r, const std::string& words) {
  return r.expected_gain.find(words) != std::string::npos;
}

TEST(RecommendMemory, ACgroupRefaultingFarMoreThanItsLimitGetsARaiseWellOverAQuarter) {
  // 100 MiB/min re-read: its working set is ~164 MiB, capped at twice the limit.
  Recommendation r = pressure_recommendation(100);
  EXPECT_EQ(r.knob.name, "memory.limit_in_bytes");
  EXPECT_EQ(r.current_value, "67108864");
  EXPECT_EQ(proposed_mib(r), 128);
  EXPECT_TRUE(says(r, "limit 64 MiB -> 128 MiB")) << r.expected_gain;
  EXPECT_TRUE(says(r, "read back after eviction in the last 60 s (cgroup.memory.refaults)"))
      << r.expected_gain;
  EXPECT_TRUE(says(r, "100 MiB of page cache")) << r.expected_gain;
  EXPECT_TRUE(says(r, "capped at twice the limit")) << r.expected_gain;
  EXPECT_FALSE(says(r, "not a measurement")) << r.expected_gain;
  // Short of what it measured, the raise promises fewer stalls, not none.
  EXPECT_TRUE(says(r, "-> fewer, not under 5%: short of the 164 MiB measured")) << r.expected_gain;
}

TEST(RecommendMemory, ACgroupAFewMiBShortGetsASmallRaise) {
  // 63.5 + 20 MiB: the need itself, rounded up to a whole MiB.
  Recommendation r = pressure_recommendation(20);
  EXPECT_EQ(proposed_mib(r), 84);
  EXPECT_TRUE(says(r, "20 MiB of page cache")) << r.expected_gain;
  EXPECT_FALSE(says(r, "capped")) << r.expected_gain;
  EXPECT_TRUE(says(r, "-> under 5% if the working set fits")) << r.expected_gain;
  // 63.5 + 2 MiB is under +10%: the minimum step, 70.4 MiB rounded up.
  r = pressure_recommendation(2);
  EXPECT_EQ(proposed_mib(r), 71);
  EXPECT_TRUE(says(r, "2 MiB of page cache")) << r.expected_gain;
  EXPECT_TRUE(says(r, "raised to the +10% minimum")) << r.expected_gain;
}

TEST(RecommendMemory, TheRefaultsAreSummedOverTheLastMinuteOnly) {
  // After 30 s the span is what there is; after 5 minutes, still a minute.
  Recommendation r = pressure_recommendation(20, {}, 30);
  EXPECT_EQ(proposed_mib(r), 74);  // 63.5 + 10 MiB
  EXPECT_TRUE(says(r, "in the last 30 s")) << r.expected_gain;
  r = pressure_recommendation(20, {}, 300);
  EXPECT_EQ(proposed_mib(r), 84);
  EXPECT_TRUE(says(r, "in the last 60 s")) << r.expected_gain;
}

TEST(RecommendMemory, TheHostBoundsTheRaise) {
  // 16 MiB available: at most half of it above the limit.
  Recommendation r = pressure_recommendation(100, {16384 * kMiB, 16 * kMiB});
  EXPECT_EQ(proposed_mib(r), 72);
  EXPECT_TRUE(says(r, "capped at what the host has free")) << r.expected_gain;
  // A host of 100 MiB of RAM: never above it.
  r = pressure_recommendation(100, {100 * kMiB, 90 * kMiB});
  EXPECT_EQ(proposed_mib(r), 100);
}

TEST(RecommendMemory, WithoutRefaultsTheRaiseIsAStepAndSaysSo) {
  Recommendation r = pressure_recommendation(std::nan(""));
  EXPECT_EQ(proposed_mib(r), 80);
  EXPECT_TRUE(says(r, "a +25% step, not a measurement")) << r.expected_gain;
  EXPECT_TRUE(says(r, "does not report this cgroup's refaults")) << r.expected_gain;
  r = pressure_recommendation(0);
  EXPECT_EQ(proposed_mib(r), 80);
  EXPECT_TRUE(says(r, "read no evicted page cache back in the last 60 s")) << r.expected_gain;
}

// One interval of `cgroup` at 120 MiB of its 128 MiB limit; `killed`: the
// OOM killer took one of its processes.
model::Snapshot near_oom(int i, const std::string& cgroup, bool killed) {
  model::Snapshot s = at_limit(i, std::nan(""));
  for (auto& c : s.components)
    if (c.kind == ComponentKind::Cgroup) {
      c.id = cgroup;
      c.set_gauge(MetricId::CgMemMax, 128 * kMiB);
      c.set_gauge(MetricId::CgMemCurrent, 120 * kMiB);
      c.set_counter(MetricId::MemOomKills, killed ? 1 : 0, killed ? 1 : 0);
    }
  return s;
}

// A python3 process of `cgroup` holding `rss_mib` resident.
model::Component python(uint64_t pid, const std::string& cgroup, double rss_mib) {
  model::Component p;
  p.kind = ComponentKind::Process;
  p.id = std::to_string(pid);
  p.kernel_id = pid;
  p.name = "python3";
  p.parent = cgroup;
  p.set_gauge(MetricId::ProcRss, rss_mib * kMiB);
  return p;
}

// The exit record of a python3 the OOM killer took (SIGKILL).
model::Component killed_python(uint32_t pid, const std::string& cgroup) {
  model::ExitedTask e;
  e.pid = e.tgid = pid;
  e.comm = "python3";
  e.cgroup = cgroup;
  e.exit_code = 9;
  return model::to_component(e);
}

// A cgroup at its 128 MiB limit whose 100 MiB python3 the OOM killer takes.
TEST(RecommendMemory, AnOomKillMakesRoomForTheVictimSeenBeforeTheKill) {
  auto oom_snap = [](int i, bool victim_alive, bool killed) {
    model::Snapshot s = near_oom(i, "/oom", killed);
    if (victim_alive) s.components.push_back(python(4242, "/oom", 100));
    if (killed) s.components.push_back(killed_python(4242, "/oom"));
    return s;
  };
  auto oom_recommendation = [&](bool seen) {
    BottleneckDetector d;
    for (int i = 0; i < 5; ++i) d.update(oom_snap(i, seen, false));
    return only_recommendation(d.update(oom_snap(5, false, true)), "/oom", "oom-kill", 128 * kMiB);
  };
  Recommendation r = oom_recommendation(true);
  EXPECT_EQ(r.scenario, "oom-limit");
  EXPECT_EQ(proposed_mib(r), 228);
  EXPECT_TRUE(says(r, "python3 [4242]")) << r.expected_gain;
  EXPECT_TRUE(says(r, "which held 100 MiB when last seen")) << r.expected_gain;
  // Never seen alive (born and killed within one interval): a step, said so.
  r = oom_recommendation(false);
  EXPECT_EQ(proposed_mib(r), 160);
  EXPECT_TRUE(says(r, "a +25% step, not a measurement")) << r.expected_gain;
  EXPECT_TRUE(says(r, "victim was not seen before the kill")) << r.expected_gain;
}

// A process in a cgroup under no memory limit (its own or an ancestor's) is
// not kept: no limit raise could be sized from it. Under a limited parent,
// even in a child cgroup without one of its own, it is, and a kill there is
// sized from it, named by the kill's exit record.
TEST(RecommendMemory, OnlyProcessesUnderAMemoryLimitAreKeptForAnOomKill) {
  auto snap = [](int i, bool killed) {
    model::Snapshot s = near_oom(i, "/app", killed);
    auto unlimited = [&s](const char* id, const char* parent, double mib) {
      model::Component c;
      c.kind = ComponentKind::Cgroup;
      c.id = id;
      c.parent = parent;
      c.set_gauge(MetricId::CgMemCurrent, mib * kMiB);
      s.components.push_back(c);
    };
    unlimited("/app/worker", "/app", 110);  // no limit of its own, but its parent's
    unlimited("/free", "/", 900);           // no limit anywhere above it
    if (!killed) s.components.push_back(python(4242, "/app/worker", 100));
    s.components.push_back(python(5151, "/free", 800));
    s.components.push_back(python(6161, "/free", 50));
    if (killed) s.components.push_back(killed_python(4242, "/app/worker"));
    return s;
  };
  BottleneckDetector d;
  for (int i = 0; i < 5; ++i) d.update(snap(i, false));
  EXPECT_EQ(d.processes_kept(), 1u);  // 4242 only
  const Recommendation r =
      only_recommendation(d.update(snap(5, true)), "/app", "oom-kill", 128 * kMiB);
  EXPECT_EQ(proposed_mib(r), 228);
  EXPECT_TRUE(says(r, "python3 [4242], which held 100 MiB when last seen")) << r.expected_gain;
  EXPECT_EQ(d.processes_kept(), 0u);  // the victim is gone; /free is still unlimited
}

}  // namespace
}  // namespace kpulse::analytics
