// Alerts on real saturations: the collector at 1 s feeds the Analyzer while a
// test injects a CPU hog, an I/O storm or packet loss after a quiet warm-up,
// and measures onset -> firing. Each scenario prints one line
//   [alert-latency] scenario=<name> interval_end_s=<x> available_s=<y>
// (interval_end: the end of the interval whose snapshot fired the alert;
// available: when the analysis returned), quoted in BENCHMARKS.md.
#include <unistd.h>

#include <algorithm>
#include <chrono>
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
  explicit LiveAnalysis(std::vector<std::string> scope) : collector_(options()) {
    an::AnalyzerConfig cfg;
    cfg.bottleneck.scope = std::move(scope);
    cfg.knobs = [](const an::Knob&) { return std::optional<std::string>(); };
    analyzer_ = std::make_unique<an::Analyzer>(cfg);
  }

  // Feeds `intervals` snapshots; returns the alerts that fired meanwhile.
  [[nodiscard]] const std::vector<an::Alert>& active() const { return last_.active_alerts; }

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
    auto r = analyzer_->ingest(collector_.next());
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
  LoopDevice loop(256);
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

}  // namespace
}  // namespace kpulse::testing
