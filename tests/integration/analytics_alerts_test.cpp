// Alerts on real saturations: the collector at 1 s feeds the Analyzer while a
// test injects a CPU hog, an I/O storm or packet loss after a quiet warm-up,
// and measures onset -> firing. Each scenario prints one line
//   [alert-latency] scenario=<name> interval_end_s=<x> available_s=<y>
// (interval_end: the end of the interval whose snapshot fired the alert;
// available: when the analysis returned), quoted in BENCHMARKS.md.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "analytics/analyzer.h"
#include "live_analysis.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
namespace an = kpulse::analytics;

// Alerts of the rule under test before the injection are failures, unless
// they blame a cgroup outside the test: that, like any other rule's alert, is
// this shared machine's own contention, real but not the test's business.
void expect_quiet(const std::vector<an::Alert>& fired, const std::string& rule) {
  for (const auto& a : fired) {
    // TestCgroup names carry the creating process's pid.
    const std::string ours = "-" + std::to_string(getpid()) + "-";
    bool foreign_cause = !a.cause.empty() && a.cause.find(ours) == std::string::npos;
    if (a.rule == rule && !foreign_cause)
      ADD_FAILURE() << "alert before the injection: " << a.summary;
    else
      std::printf("[alert-noise] %s\n", a.summary.c_str());
  }
}

// A saturation starts at any point of a collection interval, not just after a
// snapshot (where a test that injects right after its warm-up would always put
// it: the worst case). Waits a random part of an interval and returns the
// onset time to measure from.
int64_t random_phase_onset() {
  std::random_device rd;
  std::uniform_int_distribution<int> ms(0, 950);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms(rd)));
  return now_ns();
}

// The 2 s target is reported by each test's [alert-latency] line; the test
// fails only past 3 s, which a broken pipeline (an extra interval of
// hysteresis, a missed signal) exceeds on any machine.
constexpr double kLatencyBoundS = 3.0;

// Detectors need min_history samples before they may call anything unusual.
constexpr int kWarmup = 25;

void report(const char* scenario, const LiveAnalysis::Firing& f) {
  std::printf("[alert-latency] scenario=%s interval_end_s=%.2f available_s=%.2f alert=%s\n",
              scenario, f.interval_end_s, f.available_s, f.alert.summary.c_str());
}

TEST(AnalyticsAlerts, CpuHogInOneCgroupFiresOnTheCgroupItStarves) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("stress-ng"));
  TestCgroup victim("victim"), hog("hog");
  // The victim wakes often and works briefly: a latency-sensitive service.
  Child service("stress-ng --cpu 2 --cpu-load 20 --timeout 120 >/dev/null 2>&1", &victim);
  LiveAnalysis live({"cgroup:" + victim.path(), "cgroup:" + hog.path()});
  auto early = live.run(kWarmup);
  expect_quiet(early, "cpu-saturation");
  // On a host already saturated by others, the service is chronically
  // saturated and its alert fires on the limit path during the warm-up;
  // the hog then makes it worse but opens nothing new. The alert must hold,
  // naming a cause other than the service.
  const std::string victim_alert = "cpu-saturation:cgroup:" + victim.path();
  auto is_victims = [&](const an::Alert& a) { return a.id == victim_alert; };
  const auto& before = live.active();
  if (std::any_of(before.begin(), before.end(), [&](const an::Alert& a) {
        return is_victims(a) && a.state == an::AlertState::Firing;
      })) {
    Child hogs("stress-ng --cpu 24 --timeout 60 >/dev/null 2>&1", &hog);
    live.run(4);
    auto active = live.active();
    auto it = std::find_if(active.begin(), active.end(), is_victims);
    ASSERT_NE(it, active.end()) << "the service's chronic alert resolved under the hog";
    std::printf("[alert-latency] scenario=cpu-hog already firing before the onset (chronic): %s\n",
                it->summary.c_str());
    EXPECT_FALSE(it->cause.empty());
    EXPECT_NE(it->cause, "cgroup:" + victim.path());
    return;
  }

  int64_t onset = random_phase_onset();
  Child hogs("stress-ng --cpu 24 --timeout 60 >/dev/null 2>&1", &hog);
  auto f = live.wait_for(
      onset,
      [&](const an::Alert& a) {
        return a.rule == "cpu-saturation" && a.component == "cgroup:" + victim.path();
      },
      15);
  ASSERT_TRUE(f) << "no cpu-saturation alert on the victim within 15 s";
  report("cpu-hog", *f);
  EXPECT_FALSE(f->alert.evidence.empty());
  // The top consumer is named once the hog has a full interval of usage. On a
  // shared machine another session's job may out-consume it, so the check is
  // that some other leaf cgroup is blamed, and which one is printed.
  live.run(2);
  auto active = live.active();
  auto it = std::find_if(active.begin(), active.end(),
                         [&](const an::Alert& a) { return a.id == f->alert.id; });
  ASSERT_NE(it, active.end());
  std::printf("[alert-cause] cpu-hog cause=%s (the injected hog: %s)\n", it->cause.c_str(),
              ("cgroup:" + hog.path()).c_str());
  EXPECT_FALSE(it->cause.empty());
  EXPECT_NE(it->cause, "cgroup:" + victim.path());
  EXPECT_LE(f->interval_end_s, kLatencyBoundS);
}

TEST(AnalyticsAlerts, IoStormOnALoopDeviceFiresDiskSaturation) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("fio"));
  LoopDevice loop(256, /*direct_io=*/true);
  TestCgroup storm("iostorm");
  const std::string disk = "disk:" + loop.name();
  LiveAnalysis live({disk});
  auto early = live.run(kWarmup);
  expect_quiet(early, "disk-saturation");

  int64_t onset = random_phase_onset();
  Child fio("fio --name=storm --filename=" + loop.device() +
                " --direct=1 --rw=randwrite --bs=4k --iodepth=32 --ioengine=libaio"
                " --time_based --runtime=30 >/dev/null 2>&1",
            &storm);
  auto f = live.wait_for(
      onset, [&](const an::Alert& a) { return a.rule == "disk-saturation" && a.component == disk; },
      15);
  ASSERT_TRUE(f) << "no disk-saturation alert on " << disk << " within 15 s";
  report("io-storm", *f);
  EXPECT_EQ(f->alert.cause, "cgroup:" + storm.path());
  EXPECT_LE(f->interval_end_s, kLatencyBoundS);
}

TEST(AnalyticsAlerts, PacketLossInANamespaceFiresTcpLossOnTheSender) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("nft") && have_command("iperf3"));
  VethNamespace ns("alertloss", "10.213.9.1", "10.213.9.2");
  std::string out;
  ASSERT_EQ(ns.exec("nft add table inet kpulse_alert", &out), 0) << out;
  ASSERT_EQ(
      ns.exec("nft 'add chain inet kpulse_alert input { type filter hook input priority 0; }'",
              &out),
      0)
      << out;
  Child server("iperf3 -s -1 >/dev/null 2>&1", nullptr, ns.name());
  std::this_thread::sleep_for(400ms);
  TestCgroup sender("sender");
  const std::string key = "cgroup:" + sender.path();
  // A steady 100 Mbit/s stream with no loss while the detectors learn.
  Child client("iperf3 -c 10.213.9.2 -b 100M -t 90 >/dev/null 2>&1", &sender);
  LiveAnalysis live({key});
  auto early = live.run(kWarmup);
  expect_quiet(early, "tcp-loss");

  int64_t onset = random_phase_onset();
  // 10% loss: enough retransmits per second even when the sender is starved
  // of CPU by the rest of this shared machine.
  ASSERT_EQ(ns.exec("nft add rule inet kpulse_alert input tcp dport 5201 numgen random mod 100 "
                    "'<' 10 drop",
                    &out),
            0)
      << out;
  // The loss starts when nft has put the rule in, up to this long after the
  // onset measured from (a fork and exec into the namespace: 0.04-0.25 s on
  // this busy host, but once 10.3 s, the host stalled). Latency is counted
  // from the onset, its worst case, and judged only when the rule went in
  // promptly: after a slow install the onset is not known to better than
  // the install's length, and the alert fired in the first interval after it.
  const double rule_in_s = double(now_ns() - onset) / 1e9;
  constexpr double kPromptInstallS = 0.5;
  auto f = live.wait_for(
      onset, [&](const an::Alert& a) { return a.rule == "tcp-loss" && a.component == key; }, 15);
  ASSERT_TRUE(f) << "no tcp-loss alert on " << key << " within 15 s";
  report("packet-loss", *f);
  std::printf("[alert-onset] packet-loss: the drop rule was in %.2f s after the onset\n",
              rule_in_s);
  if (rule_in_s <= kPromptInstallS) {
    EXPECT_LE(f->interval_end_s, kLatencyBoundS);
  }
}

// The limit path: a host saturated before kpulse starts has nothing unusual
// to learn, yet it is saturated. The alert comes from the level alone.
TEST(AnalyticsAlerts, ChronicSaturationAlertsWithinTwoSecondsOfStart) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("stress-ng"));
  TestCgroup busy("chronic");
  Child hogs("stress-ng --cpu 8 --timeout 60 >/dev/null 2>&1", &busy);
  std::this_thread::sleep_for(3s);  // saturated well before the analysis starts
  const std::string key = "cgroup:" + busy.path();
  LiveAnalysis live({key});
  const int64_t start = now_ns();
  auto f = live.wait_for(
      start, [&](const an::Alert& a) { return a.rule == "cpu-saturation" && a.component == key; },
      6);
  ASSERT_TRUE(f) << "no cpu-saturation alert on the chronically saturated " << key;
  report("chronic-saturation", *f);
  EXPECT_EQ(f->alert.basis, an::AlertBasis::Limit);
  EXPECT_LE(f->interval_end_s, kLatencyBoundS);
}

// A cgroup saturated from its first interval: its detectors have no history,
// so only the limit path can speak for it.
TEST(AnalyticsAlerts, CgroupSaturatedFromBirthAlerts) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("stress-ng"));
  const std::string prefix = "cgroup:/kpt-birth-" + std::to_string(getpid()) + "-";
  LiveAnalysis live({prefix});
  auto early = live.run(kWarmup);
  expect_quiet(early, "cpu-saturation");

  int64_t onset = random_phase_onset();
  TestCgroup fresh("birth");
  Child hogs("stress-ng --cpu 8 --timeout 60 >/dev/null 2>&1", &fresh);
  const std::string key = "cgroup:" + fresh.path();
  auto f = live.wait_for(
      onset, [&](const an::Alert& a) { return a.rule == "cpu-saturation" && a.component == key; },
      10);
  ASSERT_TRUE(f) << "no cpu-saturation alert on the new cgroup " << key;
  report("saturated-from-birth", *f);
  EXPECT_LE(f->interval_end_s, kLatencyBoundS);
}

// A cgroup's CPU use in one snapshot as a share of the host's (busy CPUs).
double share_of_host_cpu(const model::Snapshot& snap, const std::string& cgroup) {
  const model::Component* cg = snap.find(model::ComponentKind::Cgroup, cgroup);
  double ncpu = 0, host = 0;
  for (const auto& c : snap.components) {
    ncpu += c.kind == model::ComponentKind::Cpu;
    if (c.kind == model::ComponentKind::Host) host = c.value(model::MetricId::CpuUtilization);
  }
  const double dt = snap.interval_s > 0 ? snap.interval_s : 1.0;
  const double used = cg ? cg->delta(model::MetricId::CgCpuUsage) / dt : 0.0;
  return host > 0 && ncpu > 0 && std::isfinite(used) ? used / (host * ncpu) : 0.0;
}

// Processes in the root cgroup are a cause like any cgroup (issue 19): a
// compile-like CPU load running directly in / next to a smaller hog in its own
// cgroup /x is named by its processes, and shares are of the host's CPU use,
// so /x is not "100%" of anything. The root load is three times /x's: with
// equal loads the larger of two equal shares was a coin toss (CI named /x once
// at 50% of the host), and wherever a cpu controller weighs /x as one entity
// against each root task, the root's lead only grows.
TEST(AnalyticsAlerts, ProcessesInTheRootCgroupAreNamedAsTheCause) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("stress-ng"));
  TestCgroup x("x");
  const std::string root = x.dir().substr(0, x.dir().size() - x.path().size());
  // The shell moves itself into / before it starts the workers; the timeout
  // bounds them should a worker escape the process-group kill.
  Child in_root("echo $$ > " + root + "/cgroup.procs && exec stress-ng --cpu 6 --timeout 20 " +
                    ">/dev/null 2>&1",
                nullptr);
  Child hog("stress-ng --cpu 2 --timeout 30 >/dev/null 2>&1", &x);
  LiveAnalysis live({"host:host"});
  std::optional<an::Bottleneck> host;
  double x_share = 0;  // /x's share of the host's CPU use, same interval
  for (int i = 0; i < 8; ++i) {
    live.run(1);
    for (const auto& b : live.last().bottlenecks)
      if (b.rule == "cpu-saturation" && b.component == "host:host") host = b;
    x_share = share_of_host_cpu(live.last_snapshot(), x.path());
    if (host && i >= 3) break;  // a few intervals: every worker has a CPU reading
  }
  ASSERT_TRUE(host) << "no host cpu-saturation with 8 CPU hogs on 2 CPUs";
  std::printf("[alert-cause] root-processes %s (/x: %.2f)\n", an::summarize(*host).c_str(),
              x_share);
  EXPECT_EQ(host->cause, "cgroup:/");
  ASSERT_FALSE(host->cause_processes.empty());
  EXPECT_NE(an::summarize(*host).find(" in / ("), std::string::npos);
  EXPECT_NE(an::summarize(*host).find("of the host's CPU use"), std::string::npos);
  // Of the host, not of what cgroups use: /x's two workers hold a share too,
  // so the root's and /x's shares of one denominator add up to at most the
  // whole (a tick of slack). A fixed upper bound failed on a busy host, where
  // other root-cgroup work grows the root's share toward 1.
  EXPECT_GT(host->cause_share, 0.2);
  EXPECT_GT(x_share, 0.0);
  EXPECT_LE(host->cause_share + x_share, 1.05);
}

}  // namespace
}  // namespace kpulse::testing
