#include "analytics/analyzer.h"

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

using model::ComponentKind;
using model::MetricId;

model::Snapshot snap(int i, double runq_ms) {
  model::Snapshot s;
  s.seq = uint64_t(i);
  s.time_ns = (1'700'000'000LL + i) * 1'000'000'000LL;
  s.interval_s = 1;
  for (const char* id : {"/app", "/batch"}) {
    model::Component c;
    c.kind = ComponentKind::Cgroup;
    c.id = id;
    c.parent = "/";
    bool app = std::string(id) == "/app";
    c.set_gauge(MetricId::CpuUtilization, app ? 0.3 : (runq_ms > 10 ? 1.9 : 0.01));
    model::HistogramSample h;
    h.id = MetricId::SchedRunqLatency;
    for (int k = 0; k < 50; ++k) h.delta.record(uint64_t((app ? runq_ms : 0.5) * 1e6));
    c.histograms.push_back(h);
    s.components.push_back(c);
  }
  return s;
}

TEST(Analyzer, FiresAlertWithRecommendationAndClassifiesWorkloads) {
  AnalyzerConfig cfg;
  cfg.knobs = [](const Knob& k) -> std::optional<std::string> {
    if (k.name == "cpu.weight") return "100";
    return std::nullopt;
  };
  Analyzer a(cfg);
  AnalysisResult r;
  for (int i = 0; i < 40; ++i) {
    r = a.ingest(snap(i, 1.0 + 0.3 * (i % 3)));
    EXPECT_TRUE(r.active_alerts.empty()) << i;
  }
  // Idle batch, steady app.
  bool batch_idle = false;
  for (const auto& p : r.patterns)
    if (p.component == "cgroup:/batch") batch_idle = p.cls == WorkloadClass::Idle;
  EXPECT_TRUE(batch_idle);

  r = a.ingest(snap(40, 90));
  ASSERT_EQ(r.active_alerts.size(), 1u);
  const Alert& al = r.active_alerts[0];
  EXPECT_EQ(al.id, "cpu-saturation:cgroup:/app");
  EXPECT_EQ(al.cause, "cgroup:/batch");
  if (al.state == AlertState::Pending) r = a.ingest(snap(41, 90));
  ASSERT_EQ(r.active_alerts.size(), 1u);
  EXPECT_EQ(r.active_alerts[0].state, AlertState::Firing);
  ASSERT_FALSE(r.recommendations.empty());
  EXPECT_EQ(r.recommendations[0].id, "cpu-contention:/app:cpu.weight");

  // Back to normal: resolved after the hysteresis.
  bool resolved = false;
  for (int i = 42; i < 60 && !resolved; ++i)
    for (const auto& t : a.ingest(snap(i, 1.0)).transitions)
      resolved |= t.state == AlertState::Resolved && t.id == "cpu-saturation:cgroup:/app";
  EXPECT_TRUE(resolved);
}

}  // namespace
}  // namespace kpulse::analytics
