// The dashboard's state and API bodies over hand-built snapshots.
#include "dashboard/board.h"

#include <gtest/gtest.h>

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "dashboard/api_params.h"
#include "dashboard/recent_history.h"
#include "dashboard/recorded_window.h"
#include "dashboard/views.h"
#include "record/recorder.h"
#include "model/snapshot_json.h"

namespace kpulse::dashboard {
namespace {

using model::ComponentKind;
using model::MetricId;
using nlohmann::json;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A host with `cgroups` busy cgroups (cgroup i uses i/10 CPUs), a process,
// a disk with a latency histogram, and kpulse's own component.
model::Snapshot snapshot(uint64_t seq, int64_t time_ns, int cgroups = 12) {
  model::Snapshot s;
  s.seq = seq;
  s.time_ns = time_ns;
  s.interval_s = 1;
  s.hostname = "h";
  model::Component host{.kind = ComponentKind::Host, .id = "host"};
  host.set_gauge(MetricId::CpuUtilization, 0.5);
  host.set_gauge(MetricId::MemTotal, 1e9);
  host.set_gauge(MetricId::MemUsed, 4e8);
  host.set_counter(MetricId::HostContextSwitches, 1e6, 100);  // not kept in history
  model::HistogramSample runq{MetricId::SchedRunqLatency, {}, {}};
  runq.delta.record(5000);
  runq.delta.record(2'000'000);
  host.histograms.push_back(runq);
  s.components.push_back(host);
  for (int i = 1; i <= cgroups; ++i) {
    model::Component c{.kind = ComponentKind::Cgroup, .id = "/cg" + std::to_string(i)};
    c.set_gauge(MetricId::CpuUtilization, i / 10.0);
    c.set_gauge(MetricId::CgMemCurrent, 1e6 * i);
    c.set_gauge(MetricId::CgPids, 3);
    s.components.push_back(c);
  }
  model::Component p{.kind = ComponentKind::Process, .id = "42", .name = "hog", .parent = "/cg1"};
  p.set_gauge(MetricId::CpuUtilization, 0.9);
  s.components.push_back(p);
  model::Component d{.kind = ComponentKind::Disk, .id = "vda"};
  d.set_gauge(MetricId::DiskUtilization, 0.25);
  model::HistogramSample lat{MetricId::BlkDeviceLatency, {}, {}};
  lat.delta.record(100'000);
  d.histograms.push_back(lat);
  s.components.push_back(d);
  model::Component self{.kind = ComponentKind::Agent, .id = "kpulse"};
  self.set_counter(MetricId::SelfCpuTime, 10, 0.01);
  s.components.push_back(self);
  return s;
}

TEST(RecentHistory, ThinsToTheBusiestCgroupsAndTheChartedMetrics) {
  const model::Snapshot t = thin_snapshot(snapshot(1, 1, 15));
  size_t cgroups = 0;
  for (const auto& c : t.components) {
    if (c.kind == ComponentKind::Cgroup) {
      ++cgroups;
      EXPECT_GE(std::stoi(c.id.substr(3)), 6) << c.id << " is not among the 10 busiest";
      EXPECT_TRUE(std::isnan(c.value(MetricId::CgPids)));
    }
    EXPECT_NE(c.kind, ComponentKind::Process);
  }
  EXPECT_EQ(cgroups, kHistoryCgroups);
  ASSERT_NE(t.host(), nullptr);
  EXPECT_TRUE(std::isnan(t.host()->value(MetricId::HostContextSwitches)));
  EXPECT_EQ(t.host()->value(MetricId::CpuUtilization), 0.5);
  ASSERT_NE(t.host()->find_histogram(MetricId::SchedRunqLatency), nullptr);
}

TEST(RecentHistory, KeepsItsCapacityAndCapsTheWindow) {
  RecentHistory h(100);
  for (int i = 0; i < 250; ++i) h.add(snapshot(i, 1000LL * i, 2));
  EXPECT_EQ(h.size(), 100u);
  EXPECT_EQ(h.oldest_ns(), 150'000);
  const auto all = h.window(INT64_MIN, INT64_MAX, 30);
  ASSERT_LE(all.size(), 30u);
  ASSERT_GE(all.size(), 25u);
  EXPECT_EQ(all.back().time_ns, 249'000) << "the newest interval is always drawn";
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].time_ns, all[i].time_ns);
  EXPECT_EQ(h.window(200'000, 209'000, 1000).size(), 10u);
  EXPECT_TRUE(h.window(0, 1000, 1000).empty());
}

// The live history's memory, the bound docs/dashboard.md states: heap per
// thinned snapshot for a host with 3 disks, 6 interfaces and 40 cgroups
// (10 kept), times the hour kept at 1 s.
TEST(RecentHistory, AnHourAtOneSecondHoldsAboutTwelveKilobytesAnInterval) {
  model::Snapshot s = snapshot(0, 0, 40);
  for (const char* d : {"loop0", "zram0"}) {
    model::Component c{.kind = ComponentKind::Disk, .id = d};
    c.set_gauge(MetricId::DiskUtilization, 0);
    c.set_counter(MetricId::DiskReadBytes, 0, 0);
    c.set_counter(MetricId::DiskWriteBytes, 0, 0);
    c.histograms.push_back({MetricId::BlkDeviceLatency, {}, {}});
    s.components.push_back(c);
  }
  for (const char* i : {"lo", "eth0", "ifb0", "ifb1", "kph2908", "docker0"}) {
    model::Component c{.kind = ComponentKind::Interface, .id = i};
    c.set_counter(MetricId::IfRxBytes, 0, 0);
    c.set_counter(MetricId::IfTxBytes, 0, 0);
    s.components.push_back(c);
  }
  for (auto& c : s.components)
    if (c.kind == ComponentKind::Cgroup)
      c.id = "/system.slice/a-service-" + c.id.substr(3) + ".service";
  constexpr size_t kHour = 3600;
  const size_t before = mallinfo2().uordblks;
  {
    RecentHistory h(kHour);
    for (size_t i = 0; i < kHour + 100; ++i) {
      s.seq = i;
      s.time_ns = static_cast<int64_t>(i);
      h.add(s);
    }
    const double per = static_cast<double>(mallinfo2().uordblks - before) / kHour;
    std::printf("live history: %.0f bytes per interval, %.1f MiB for an hour at 1 s\n", per,
                per * kHour / 1048576);
    EXPECT_LT(per, 16 * 1024.0);
    EXPECT_EQ(h.size(), kHour);
  }
}

TEST(Board, AnswersWaitingUntilTheFirstSnapshotThenTheOverview) {
  Board b({});
  EXPECT_FALSE(b.wanted());
  EXPECT_TRUE(json::parse(b.snapshot_json(false)).value("waiting", false));
  b.publish_snapshot(snapshot(1, now_ns()));
  const json j = json::parse(b.snapshot_json(false));
  EXPECT_EQ(j["schema"], "kpulse.dashboard/v1");
  EXPECT_EQ(j["cgroups"].size(), 12u);
  EXPECT_EQ(j["processes"][0]["comm"], "hog");
  EXPECT_DOUBLE_EQ(j["host"]["cpu"].get<double>(), 0.5);
  EXPECT_NEAR(j["disks"][0]["latency_p99_ms"].get<double>(), 0.13, 0.07);
  EXPECT_DOUBLE_EQ(j["kpulse"]["cpu"].get<double>(), 0.01);
  EXPECT_EQ(j["alerts"]["analytics"], "starting");
  EXPECT_EQ(json::parse(b.snapshot_json(true))["schema"], model::kSnapshotJsonSchema);
}

TEST(Board, SeriesAreBoundedAndOnlyForKeptMetrics) {
  Board b({.history_points = 600});
  const int64_t now = now_ns();
  for (int i = 0; i < 500; ++i) b.publish_snapshot(snapshot(i, now - (499 - i) * 1'000'000'000LL));
  const json s = json::parse(b.series_json("cpu.utilization", "host:host", "-10m", 50));
  EXPECT_TRUE(s["kept"].get<bool>());
  EXPECT_LE(s["points"].size(), 50u);
  EXPECT_GE(s["points"].size(), 45u);
  const json huge = json::parse(b.series_json("cpu.utilization", "host:host", "-1d", 1'000'000));
  EXPECT_LE(huge["points"].size(), 900u) << "max_points is capped";
  const json absent = json::parse(b.series_json("host.context_switches", "host:host", "", 100));
  EXPECT_FALSE(absent["kept"].get<bool>());
  EXPECT_TRUE(absent["points"].empty());
  EXPECT_EQ(b.series_json("no.such.metric", "host:host", "", 10), "");
  EXPECT_THROW(b.series_json("cpu.utilization", "nokind", "", 10), BadParameter);
}

TEST(Board, ChartsComeFromTheReportsChartCode) {
  Board b({});
  const int64_t now = now_ns();
  for (int i = 0; i < 30; ++i) b.publish_snapshot(snapshot(i, now - (29 - i) * 1'000'000'000LL));
  const json c = json::parse(b.charts_json("-5m"));
  EXPECT_EQ(c["points"], 30);
  std::vector<std::string> ids;
  for (const auto& chart : c["charts"]) {
    ids.push_back(chart["id"]);
    EXPECT_NE(chart["svg"].get<std::string>().find("<svg class=\"chart\""), std::string::npos);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"cpu", "memory", "psi", "disks", "network", "cgroups",
                                           "kpulse"}));
  ASSERT_EQ(c["heatmaps"].size(), 2u);  // run queue, vda
  const std::string runq = c["heatmaps"][0]["svg"];
  EXPECT_NE(runq.find("class=\"cell\""), std::string::npos);
  // Two latency slots (5 us and 2 ms) per column, 30 columns.
  size_t cells = 0;
  for (size_t at = runq.find("class=\"cell\""); at != std::string::npos;
       at = runq.find("class=\"cell\"", at + 1))
    ++cells;
  EXPECT_EQ(cells, 60u);
  EXPECT_NE(c["timeline"].get<std::string>().find("<svg class=\"timeline\""), std::string::npos);
}

// The page keeps the range it shows and asks only for what it has not seen:
// after the first answer, one interval's numbers per interval.
TEST(Board, LiveSendsOnlyTheIntervalsThePageHasNotSeen) {
  Board b({.history_points = 3600});
  const int64_t now = now_ns();
  const auto at = [&](int i) { return now - (399 - i) * 1'000'000'000LL; };
  for (int i = 0; i < 400; ++i) b.publish_snapshot(snapshot(i, at(i), 15));
  const json first = json::parse(b.live_json("-5m", 0));
  EXPECT_EQ(first["to_ns"], at(399));
  EXPECT_EQ(first["live_from_ns"], at(0));
  ASSERT_EQ(first["points"].size(), 301u);  // -5m: the last 300 s, both ends
  const json& p = first["points"].back();
  EXPECT_EQ(p["t"], at(399));
  EXPECT_DOUBLE_EQ(p["cpu"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(p["memory"].get<double>(), 0.4);
  EXPECT_TRUE(p["swap"].is_null()) << "no swap total";
  EXPECT_DOUBLE_EQ(p["kpulse"].get<double>(), 0.01);
  EXPECT_DOUBLE_EQ(p["disks"]["vda"]["utilization"].get<double>(), 0.25);
  EXPECT_EQ(p["disks"]["vda"]["latency"].size(), 1u);
  EXPECT_EQ(p["runq"].size(), 2u);  // 5 us and 2 ms
  EXPECT_EQ(p["cgroups"].size(), kHistoryCgroups);
  EXPECT_DOUBLE_EQ(p["cgroups"]["/cg15"].get<double>(), 1.5);

  const int64_t seen = p["t"];
  EXPECT_TRUE(json::parse(b.live_json("-5m", seen))["points"].empty());
  b.publish_snapshot(snapshot(400, at(400), 15));
  const std::string next = b.live_json("-5m", seen);
  const json j = json::parse(next);
  ASSERT_EQ(j["points"].size(), 1u);
  EXPECT_EQ(j["points"][0]["t"], at(400));
  // One interval's numbers: a few hundred bytes, not the range again.
  EXPECT_LT(next.size(), 2048u);
  EXPECT_LT(next.size() * 50, b.live_json("-5m", 0).size());
  // Bounded whatever is asked.
  EXPECT_LE(json::parse(b.live_json("-30d", 0))["points"].size(), 900u);
  EXPECT_TRUE(json::parse(b.live_json("-5m", INT64_MAX))["points"].empty());
}

TEST(Board, AlertsAndTheirDrillDownAfterAnalysisIsPublished) {
  Board b({});
  b.publish_snapshot(snapshot(1, now_ns()));
  EXPECT_EQ(b.alert_json("cpu-saturation:host:host"), "");
  auto result = std::make_shared<analytics::AnalysisResult>();
  analytics::Alert a;
  a.id = "cpu-saturation:host:host";
  a.state = analytics::AlertState::Firing;
  a.rule = "cpu-saturation";
  a.component = "host:host";
  a.cause = "cgroup:/cg12";
  a.summary = "cpu-saturation on host:host; top consumer /cg12";
  a.firing_ns = a.start_ns = now_ns();
  result->active_alerts.push_back(a);
  result->patterns.push_back({"cgroup:/cg12", analytics::WorkloadClass::CpuBound, 0.9, 0, "busy"});
  result->patterns.push_back({"cgroup:/cg3", analytics::WorkloadClass::Idle, 0.9, 0, "idle"});
  b.publish_analysis(std::make_shared<const AnalysisView>(
      AnalysisView{result, std::make_shared<const std::vector<analytics::Alert>>(), ""}));
  b.publish_tuning(json::array({{{"id", "c1"}, {"knob", "cgroup:/cg12:cpu.max"}},
                                {{"id", "c2"}, {"knob", "cgroup:/other:cpu.max"}}}));
  // A new snapshot: the cached answers are for the previous one.
  b.publish_snapshot(snapshot(2, now_ns()));
  const json alerts = json::parse(b.alerts_json());
  ASSERT_EQ(alerts["active"].size(), 1u);
  EXPECT_EQ(alerts["active"][0]["id"], a.id);
  const json d = json::parse(b.alert_json(a.id));
  EXPECT_EQ(d["alert"]["cause"], "cgroup:/cg12");
  ASSERT_FALSE(d["histogram"].is_null());
  EXPECT_EQ(d["histogram"]["metric"], "sched.runq_latency");
  EXPECT_EQ(d["histogram"]["interval"]["count"], 2);
  ASSERT_EQ(d["patterns"].size(), 1u) << "the cause's pattern, not unrelated ones";
  EXPECT_EQ(d["patterns"][0]["component"], "cgroup:/cg12");
  ASSERT_EQ(d["tuning_in_force"].size(), 1u);
  EXPECT_EQ(d["tuning_in_force"][0]["id"], "c1");
  EXPECT_TRUE(d["forecasts"].is_array());
  EXPECT_TRUE(d["recommendations"].is_array());
}

// The page holds the resolved alerts it was sent and asks only for newer ones.
TEST(Board, AlertsSendOnlyTheAlertsResolvedSinceTheClientsNewest) {
  Board b({});
  b.publish_snapshot(snapshot(1, now_ns()));
  auto resolved = std::make_shared<std::vector<analytics::Alert>>();
  for (int i = 1; i <= 100; ++i) {
    analytics::Alert a;
    a.id = "cpu-saturation:cgroup:/cg" + std::to_string(i);
    a.state = analytics::AlertState::Resolved;
    a.summary = std::string(200, 'x');
    a.firing_ns = a.start_ns = 1000LL * i;
    a.resolved_ns = 1000LL * i + 500;
    resolved->push_back(a);
  }
  b.publish_analysis(std::make_shared<const AnalysisView>(
      AnalysisView{std::make_shared<analytics::AnalysisResult>(), resolved, ""}));
  const std::string all = b.alerts_json();
  EXPECT_EQ(json::parse(all)["resolved"].size(), 100u);
  const std::string newer = b.alerts_json(98'500);
  const json j = json::parse(newer);
  ASSERT_EQ(j["resolved"].size(), 2u);
  EXPECT_EQ(j["resolved"][0]["resolved_ns"], 99'500);
  EXPECT_EQ(j["analytics"], "on");
  EXPECT_LT(newer.size() * 20, all.size());
  EXPECT_TRUE(json::parse(b.alerts_json(100'500))["resolved"].empty());
}

// Three hours recorded at 10 s, windows of at most 300 points: 2 h (720
// intervals) comes from the 1 min tier, 10 min from full resolution; both
// thinned and under the cap.
TEST(RecordedWindow, PicksTheTierThatFitsAndStaysBounded) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("kpulse_dash_rec_" + std::to_string(getpid()));
  const int64_t t0 = 1'764'000'000'000'000'000;  // a whole hour
  const int64_t step = 10'000'000'000;
  {
    record::RecorderOptions o;
    o.dir = dir;
    record::Recorder rec(o);
    for (int i = 0; i < 3 * 360; ++i) {
      auto s = snapshot(i, t0 + i * step, 12);
      s.interval_s = 10;
      rec.append(s);
    }
  }
  const auto wide = read_recorded_window(dir, t0, t0 + 2 * 3600'000'000'000LL, 10, 300);
  EXPECT_EQ(wide.tier, "1m");
  EXPECT_GE(wide.snapshots.size(), 100u);
  EXPECT_LE(wide.snapshots.size(), 121u);
  const auto narrow =
      read_recorded_window(dir, t0 + 600'000'000'000LL, t0 + 1200'000'000'000LL, 10, 300);
  EXPECT_EQ(narrow.tier, "full");
  EXPECT_EQ(narrow.snapshots.size(), 61u);
  const auto capped = read_recorded_window(dir, t0, t0 + 3 * 3600'000'000'000LL, 10, 50);
  EXPECT_LE(capped.snapshots.size(), 50u);
  for (const auto& s : narrow.snapshots)
    for (const auto& c : s.components) EXPECT_NE(c.kind, ComponentKind::Process) << "thinned";
  EXPECT_TRUE(read_recorded_window(dir, t0 - 7200'000'000'000LL, t0 - 3600'000'000'000LL, 10, 900)
                  .snapshots.empty());
  EXPECT_EQ(recording_extent(dir)["tiers"].size(), 3u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kpulse::dashboard

namespace kpulse::dashboard {
namespace {

// A recorded period: 40 quiet intervals, 15 with /app waiting 90 ms on run
// queues while /batch uses 1.9 CPUs, then 15 quiet again.
std::vector<model::Snapshot> recorded_contention() {
  std::vector<model::Snapshot> out;
  for (int i = 0; i < 70; ++i) {
    const bool contended = i >= 40 && i < 55;
    model::Snapshot s;
    s.seq = uint64_t(i);
    s.time_ns = (1'700'000'000LL + i) * 1'000'000'000LL;
    s.interval_s = 1;
    for (const char* id : {"/app", "/batch"}) {
      const bool app = std::string(id) == "/app";
      model::Component c;
      c.kind = model::ComponentKind::Cgroup;
      c.id = id;
      c.parent = "/";
      c.set_gauge(model::MetricId::CpuUtilization, app ? 0.3 : (contended ? 1.9 : 0.01));
      model::HistogramSample h;
      h.id = model::MetricId::SchedRunqLatency;
      const double ms = app ? (contended ? 90 : 1.0 + 0.3 * (i % 3)) : 0.5;
      for (int k = 0; k < 50; ++k) h.delta.record(uint64_t(ms * 1e6));
      c.histograms.push_back(h);
      s.components.push_back(c);
    }
    out.push_back(std::move(s));
  }
  return out;
}

// Why: a recorded period older than the daemon showed an empty alerts
// timeline: only the live analysis's own alerts were drawn.
TEST(RecordedAlerts, ARecordedWindowShowsTheAlertsItsAnalysisFinds) {
  const auto window = recorded_contention();
  const auto alerts = alerts_over(window);
  ASSERT_FALSE(alerts.empty());
  EXPECT_EQ(alerts[0].id, "cpu-saturation:cgroup:/app");
  EXPECT_GE(alerts[0].firing_ns, window[40].time_ns);
  EXPECT_GT(alerts[0].resolved_ns, alerts[0].firing_ns);
  EXPECT_LE(alerts[0].resolved_ns, window.back().time_ns);
  const auto charts =
      charts_json(window, window.front().time_ns, window.back().time_ns, nullptr, alerts);
  // Each finding is a bar with its message as the tooltip.
  const auto bars = [](const nlohmann::json& j) {
    const std::string svg = j["timeline"].get<std::string>();
    size_t n = 0;
    for (size_t at = svg.find("<title>"); at != std::string::npos; at = svg.find("<title>", at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(bars(charts), alerts.size());
  EXPECT_EQ(bars(charts_json(window, window.front().time_ns, window.back().time_ns, nullptr)), 0u);
}

}  // namespace
}  // namespace kpulse::dashboard
