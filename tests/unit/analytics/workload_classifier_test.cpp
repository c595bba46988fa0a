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

// The host and the root cgroup are the sum of unrelated work: a compile's
// processes churn gigabytes and move tens of MiB/s of I/O while every CPU is
// busy and tasks wait for one. Only stalls make them memory- or I/O-bound.
TEST(WorkloadClassifier, AggregatesAreLabelledByWhatTheyWaitOn) {
  auto compile = series(30, [](int i) {
    WorkloadSample s;
    s.cpu = 1.6 + 0.05 * (i % 3);
    s.io_bytes_s = 20e6;
    s.memory_bytes = (i % 2 ? 3.0 : 2.6) * 1073741824;  // 14% churn per interval
    s.io_stall = 0.01;
    s.cpu_stall = 0.8;
    return s;
  });
  EXPECT_EQ(classify_window(compile, 1.0, {}, true).cls, WorkloadClass::CpuBound);
  // A cgroup with the same figures is one workload: its churn is its own.
  EXPECT_EQ(classify_window(compile, 1.0, {}, false).cls, WorkloadClass::MemoryBound);
  // Stalls label an aggregate as they label a cgroup.
  for (auto& s : compile) s.io_stall = 0.3;
  EXPECT_EQ(classify_window(compile, 1.0, {}, true).cls, WorkloadClass::IoBound);
  for (auto& s : compile) s.memory_stall = 0.2;
  EXPECT_EQ(classify_window(compile, 1.0, {}, true).cls, WorkloadClass::MemoryBound);
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
