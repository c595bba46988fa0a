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
#include "engine/collector.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
namespace an = kpulse::analytics;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The collector and the analyzer, confined to the components a test owns so
// other work on this shared machine cannot answer for it.
class LiveAnalysis {
 public:
  // `read_knobs`: recommendations read this host's knobs; otherwise none is
  // readable (alert tests need no knob).
  explicit LiveAnalysis(std::vector<std::string> scope, bool read_knobs = false)
      : collector_(options()) {
    an::AnalyzerConfig cfg;
    cfg.bottleneck.scope = std::move(scope);
    if (!read_knobs) cfg.knobs = [](const an::Knob&) { return std::optional<std::string>(); };
    analyzer_ = std::make_unique<an::Analyzer>(cfg);
  }

  [[nodiscard]] const std::vector<an::Alert>& active() const { return last_.active_alerts; }
  [[nodiscard]] const an::AnalysisResult& last() const { return last_; }
  // The snapshot last() was computed from.
  [[nodiscard]] const model::Snapshot& last_snapshot() const { return snapshot_; }

  // Feeds `intervals` snapshots; returns the alerts that fired meanwhile.
  std::vector<an::Alert> run(int intervals) {
    std::vector<an::Alert> fired;
    for (int i = 0; i < intervals; ++i)
      for (const auto& a : step().transitions)
        if (a.state == an::AlertState::Firing) fired.push_back(a);
    return fired;
  }

  struct Firing {
    an::Alert alert;
    double interval_end_s;  // snapshot time - onset
    double available_s;     // analysis done - onset
  };
  // Feeds snapshots until an alert matching `match` fires, for at most `limit`.
  std::optional<Firing> wait_for(int64_t onset_ns,
                                 const std::function<bool(const an::Alert&)>& match, int limit) {
    for (int i = 0; i < limit; ++i) {
      auto r = step();
      int64_t done = now_ns();
      for (const auto& a : r.transitions)
        if (a.state == an::AlertState::Firing && match(a))
          return Firing{a, double(r.time_ns - onset_ns) / 1e9, double(done - onset_ns) / 1e9};
    }
    return std::nullopt;
  }

 private:
  static engine::CollectorOptions options() {
    engine::CollectorOptions o;
    o.interval = 1000ms;
    o.max_processes = 2000;
    return o;
  }
  an::AnalysisResult step() {
    snapshot_ = collector_.next();
    auto r = analyzer_->ingest(snapshot_);
    last_ = r;
    // KPULSE_ALERTS_TRACE=1 prints the watched USE rows: what a failing
    // scenario's signals actually read.
    if (std::getenv("KPULSE_ALERTS_TRACE"))
      for (const auto& row : r.use)
        for (const auto& s : row.signals)
          if (s.role != an::UseRole::Utilization || row.kind == model::ComponentKind::Cgroup)
            if (row.key.find("kpt-") != std::string::npos ||
                row.key.find("loop") != std::string::npos)
              std::printf("  %s %s=%.4g (limit %.4g)\n", row.key.c_str(), s.name.c_str(), s.value,
                          s.limit);
    for (const auto& b : r.bottlenecks)
      if (std::getenv("KPULSE_ALERTS_TRACE"))
        std::printf("  bottleneck %s sat %.2f score %.2f anomalous %d\n", b.id.c_str(),
                    b.saturation, b.score, int(b.anomalous));
    return r;
  }

  engine::Collector collector_;
  std::unique_ptr<an::Analyzer> analyzer_;
  an::AnalysisResult last_;
  model::Snapshot snapshot_;
};

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
  auto f = live.wait_for(
      onset, [&](const an::Alert& a) { return a.rule == "tcp-loss" && a.component == key; }, 15);
  ASSERT_TRUE(f) << "no tcp-loss alert on " << key << " within 15 s";
  report("packet-loss", *f);
  EXPECT_LE(f->interval_end_s, kLatencyBoundS);
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

// The same cgroup in a cgroup v1 controller's hierarchy, as systemd keeps its
// units on hybrid hosts: the v1 knobs (cpu.shares, blkio.throttle.*) live
// there. Moves the processes back to the hierarchy's root and removes itself.
class V1Mirror {
 public:
  V1Mirror(const std::string& controller, const TestCgroup& cg)
      : root_("/sys/fs/cgroup/" + controller), dir_(root_ + cg.path()), procs_(cg.dir()) {
    run("mkdir -p " + dir_);
  }
  ~V1Mirror() {
    run("for p in $(cat " + dir_ + "/cgroup.procs); do echo $p > " + root_ +
        "/cgroup.procs; done 2>/dev/null; rmdir " + dir_ + " 2>/dev/null");
  }
  V1Mirror(const V1Mirror&) = delete;
  V1Mirror& operator=(const V1Mirror&) = delete;
  // Writes one of the mirror's own files (e.g. cpu.shares).
  void set(const std::string& file, const std::string& value) const {
    run("echo " + value + " > " + dir_ + "/" + file);
  }
  // Moves every process of the v2 cgroup into the mirror (its later forks follow).
  void adopt() const {
    run("for p in $(cat " + procs_ + "/cgroup.procs); do echo $p > " + dir_ +
        "/cgroup.procs; done 2>/dev/null");
  }

 private:
  std::string root_, dir_, procs_;
};

bool have_v1(const std::string& controller_file) {
  return run("test -e /sys/fs/cgroup/" + controller_file) == 0;
}

std::optional<an::Recommendation> wait_for_recommendation(
    LiveAnalysis& live, const std::function<bool(const an::Recommendation&)>& match, int limit) {
  for (int i = 0; i < limit; ++i) {
    live.run(1);
    for (const auto& r : live.last().recommendations) {
      std::printf("  [recommendation] %s%s: %s -> %s; %s\n", r.id.c_str(),
                  r.advice_only ? " (advice only)" : "", r.current_value.c_str(),
                  r.proposed_value.c_str(), r.expected_gain.c_str());
      if (match(r)) return r;
    }
  }
  return std::nullopt;
}

// Issue 20: no recommendation on this hybrid host for a critical CPU
// saturation with a named cause. The cpu controller is on v1: the starved
// cgroup's weight is its v1 cpu.shares, with a numeric expected gain.
TEST(AnalyticsRecommend, CpuSaturationOnAHybridHostRecommendsTheV1Weight) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("stress-ng"));
  if (!have_v1("cpu/cpu.shares")) GTEST_SKIP() << "no cgroup v1 cpu hierarchy";
  TestCgroup victim("rec-victim"), hog("rec-hog");
  V1Mirror victim_cpu("cpu", victim), hog_cpu("cpu", hog);
  // The hog is weighted 8x the service (a batch job given priority), so the
  // service is starved on any host: at equal weights its 0.4 CPU of demand
  // fits in its half of 2 CPUs, and only a busy host's other load made it
  // wait (PSI some near the 25% limit on a quiet one, so the test flaked).
  hog_cpu.set("cpu.shares", "8192");
  Child service("stress-ng --cpu 2 --cpu-load 20 --timeout 60 >/dev/null 2>&1", &victim);
  Child hogs("stress-ng --cpu 8 --timeout 60 >/dev/null 2>&1", &hog);
  std::this_thread::sleep_for(1500ms);  // the workers have forked
  victim_cpu.adopt();
  hog_cpu.adopt();
  LiveAnalysis live({"cgroup:" + victim.path()}, true);
  auto r = wait_for_recommendation(
      live,
      [&](const an::Recommendation& r) {
        return r.knob.name == "cpu.shares" && r.knob.cgroup == victim.path() && !r.advice_only;
      },
      15);
  ASSERT_TRUE(r) << "no cpu.shares recommendation for " << victim.path();
  EXPECT_EQ(r->current_value, "1024");
  EXPECT_EQ(r->proposed_value, "2048");
  EXPECT_NE(r->expected_gain.find(" -> about "), std::string::npos) << r->expected_gain;
  EXPECT_FALSE(r->evidence.empty());
}

// And none for a critical I/O storm on a loop device: io.weight does not
// exist here. The cause gets a bandwidth cap in its v1 blkio cgroup.
TEST(AnalyticsRecommend, IoStormOnAHybridHostRecommendsACapOnTheCause) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  ASSERT_TRUE(have_command("fio"));
  if (!have_v1("blkio/blkio.throttle.write_bps_device")) GTEST_SKIP() << "no cgroup v1 blkio";
  LoopDevice loop(256, /*direct_io=*/true);
  TestCgroup storm("rec-storm");
  V1Mirror storm_blkio("blkio", storm);
  Child fio("fio --name=storm --filename=" + loop.device() +
                " --direct=1 --rw=randwrite --bs=4k --iodepth=32 --ioengine=libaio"
                " --time_based --runtime=30 >/dev/null 2>&1",
            &storm);
  std::this_thread::sleep_for(1000ms);
  storm_blkio.adopt();
  LiveAnalysis live({"disk:" + loop.name()}, true);
  auto r = wait_for_recommendation(
      live,
      [&](const an::Recommendation& r) {
        return r.scenario == "io-hog-cap" && r.knob.cgroup == storm.path() && !r.advice_only;
      },
      15);
  ASSERT_TRUE(r) << "no bandwidth cap recommended for " << storm.path();
  EXPECT_EQ(r->knob.name, "blkio.throttle.write_bps_device");
  std::string majmin = slurp("/sys/block/" + loop.name() + "/dev");
  while (!majmin.empty() && majmin.back() == '\n') majmin.pop_back();
  EXPECT_EQ(r->proposed_value.rfind(majmin + " ", 0), 0u) << r->proposed_value;
  EXPECT_NE(r->expected_gain.find(" -> about "), std::string::npos) << r->expected_gain;
}

}  // namespace
}  // namespace kpulse::testing
