#include "analytics/workload_classifier.h"

#include <cmath>

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

std::vector<WorkloadSample> series(int n, const std::function<WorkloadSample(int)>& f) {
  std::vector<WorkloadSample> v;
  for (int i = 0; i < n; ++i) v.push_back(f(i));
  return v;
}

WorkloadClass label(const std::vector<WorkloadSample>& w) {
  return classify_window(w, 1.0).cls;
}

TEST(WorkloadClassifier, EachShapeGetsItsLabel) {
  EXPECT_EQ(label(series(30,
                         [](int) {
                           return WorkloadSample{0.001, 0, 0, 5e6};
                         })),
            WorkloadClass::Idle);
  EXPECT_EQ(label(series(30,
                         [](int i) {
                           return WorkloadSample{0.9 + 0.02 * (i % 3), 0, 0, 5e6};
                         })),
            WorkloadClass::CpuBound);
  EXPECT_EQ(
      label(series(
          30, [](int i) { return WorkloadSample{0.1, 40e6 + 1e6 * (i % 2), 0, 5e6, 0, 0.4}; })),
      WorkloadClass::IoBound);
  EXPECT_EQ(label(series(30,
                         [](int) {
                           return WorkloadSample{0.3, 0, 12e6, 5e6};
                         })),
            WorkloadClass::NetworkBound);
  // A large working set that is being rewritten: allocation churn.
  EXPECT_EQ(label(series(30,
                         [](int i) {
                           return WorkloadSample{0.9, 0, 0, (i % 2 ? 300e6 : 180e6)};
                         })),
            WorkloadClass::MemoryBound);
  // 3 s on, 3 s off.
  auto periodic =
      classify_window(series(30,
                             [](int i) {
                               return WorkloadSample{(i / 3) % 2 ? 0.0 : 0.9, 0, 0, 5e6};
                             }),
                      1.0);
  EXPECT_EQ(periodic.cls, WorkloadClass::Periodic);
  EXPECT_DOUBLE_EQ(periodic.period_s, 6.0);
  // Irregular spikes.
  int spikes[] = {2, 3, 9, 17, 18, 26};
  EXPECT_EQ(label(series(30,
                         [&](int i) {
                           for (int s : spikes)
                             if (s == i) return WorkloadSample{0.9, 0, 0, 5e6};
                           return WorkloadSample{0.05, 0, 0, 5e6};
                         })),
            WorkloadClass::Bursty);
}

TEST(WorkloadClassifier, ShortWindowHasNoConfidence) {
  auto p = classify_window(series(3, [](int) { return WorkloadSample{1.0}; }), 1.0);
  EXPECT_EQ(p.confidence, 0);
}

TEST(WorkloadClassifier, SteadyLargeMemoryIsNotMemoryBound) {
  EXPECT_EQ(label(series(30,
                         [](int) {
                           return WorkloadSample{0.9, 0, 0, 2e9};
                         })),
            WorkloadClass::CpuBound);
}

TEST(WorkloadClassifier, TracksCgroupsAcrossSnapshotsAndUsesProcessRss) {
  WorkloadClassifier wc;
  for (int i = 0; i < 20; ++i) {
    model::Snapshot s;
    s.interval_s = 1;
    model::Component c;
    c.kind = model::ComponentKind::Cgroup;
    c.id = "/vm";
    c.set_gauge(model::MetricId::CpuUtilization, 0.9);
    s.components.push_back(c);
    model::Component p;
    p.kind = model::ComponentKind::Process;
    p.id = "77";
    p.parent = "/vm";
    p.set_gauge(model::MetricId::ProcRss, i % 2 ? 400e6 : 150e6);
    s.components.push_back(p);
    wc.update(s);
  }
  auto p = wc.classify("cgroup:/vm");
  EXPECT_EQ(p.cls, WorkloadClass::MemoryBound) << p.evidence;
  EXPECT_EQ(wc.patterns().size(), 1u);
}

}  // namespace
}  // namespace kpulse::analytics
