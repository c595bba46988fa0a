#include "analytics/workload_classifier.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace kpulse::analytics {
namespace {

std::vector<WorkloadSample> series(int n, const std::function<WorkloadSample(int)>& f) {
  std::vector<WorkloadSample> v;
  v.reserve(size_t(n));
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

// A light component (under the CPU-bound level, over the idle one) is named
// after the resource it comes closest to being bound on. A dsync writer using
// 1.5% of a CPU, writing 700 KiB/s and stalled on I/O 9% of the time was
// labelled CPU-bound.
TEST(WorkloadClassifier, ALightComponentIsLabelledByItsNearestBound) {
  auto sample = [](double cpu, double io, double io_stall, double net) {
    WorkloadSample s;
    s.cpu = cpu;
    s.io_bytes_s = io;
    s.io_stall = io_stall;
    s.net_bytes_s = net;
    s.memory_bytes = 3e6;
    return s;
  };
  EXPECT_EQ(label(series(30, [&](int) { return sample(0.015, 700e3, 0.09, 0); })),
            WorkloadClass::IoBound);
  EXPECT_EQ(label(series(30, [&](int) { return sample(0.02, 0, 0, 600e3); })),
            WorkloadClass::NetworkBound);
  // Light CPU use next to a trickle of I/O is still the CPU's.
  EXPECT_EQ(label(series(30, [&](int) { return sample(0.1, 100e3, 0.01, 0); })),
            WorkloadClass::CpuBound);
}

// A working set unmapped and rebuilt over and over is large at its peak; its
// mean (here 178 MiB, under the 192 MiB the churn rule wants) counts the time
// spent rebuilding it. stress-ng --vm 256M on a loaded host read as CPU-bound.
TEST(WorkloadClassifier, AWorkingSetRebuiltOverAndOverIsSizedAtItsPeak) {
  EXPECT_EQ(label(series(30,
                         [](int i) {
                           return WorkloadSample{0.3, 0, 0, i % 2 ? 256e6 : 100e6};
                         })),
            WorkloadClass::MemoryBound);
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

// A cache too big for its memory re-reads what was evicted: the disk is busy
// but memory is what limits it, whether the reader is one cgroup or the host.
TEST(WorkloadClassifier, RefaultsMakeADataPathMemoryBound) {
  auto thrashing = series(30, [](int i) {
    WorkloadSample s;
    s.cpu = 0.1;
    s.io_bytes_s = 30e6 + 1e6 * (i % 2);
    s.memory_bytes = 500e6;
    s.io_stall = 0.2;
    s.refault_bytes_s = 25e6;
    return s;
  });
  for (bool aggregate : {false, true}) {
    const auto p = classify_window(thrashing, 1.0, {}, aggregate);
    EXPECT_EQ(p.cls, WorkloadClass::MemoryBound) << p.evidence;
    EXPECT_NE(p.evidence.find("refaults 23.8 MiB/s"), std::string::npos) << p.evidence;
  }
  // The same reads of data that stays cached (no refaults): the disk limits it.
  for (auto& s : thrashing) s.refault_bytes_s = 0;
  EXPECT_EQ(classify_window(thrashing, 1.0).cls, WorkloadClass::IoBound);
}

// Doing nothing while holding memory, or on a host with only background
// daemons, is idle: a large resident set alone is not a workload.
TEST(WorkloadClassifier, AnIdleWorkloadIsIdleWhateverItHolds) {
  auto idle = series(30, [](int i) {
    WorkloadSample s;
    s.cpu = 0.004 * (i % 3);
    s.io_bytes_s = 4096;
    s.memory_bytes = 2e9;
    return s;
  });
  EXPECT_EQ(classify_window(idle, 1.0).cls, WorkloadClass::Idle);
  EXPECT_EQ(classify_window(idle, 1.0, {}, true).cls, WorkloadClass::Idle);
}

TEST(WorkloadClassifier, HostRefaultsFromVmstatMakeTheHostMemoryBound) {
  WorkloadClassifier wc;
  for (int i = 0; i < 20; ++i) {
    model::Snapshot s;
    s.interval_s = 1;
    model::Component h;
    h.kind = model::ComponentKind::Host;
    h.id = "host";
    h.set_gauge(model::MetricId::CpuUtilization, 0.05);
    h.set_counter(model::MetricId::BlkReadBytes, 40e6 * i, 40e6);
    h.set_counter(model::MetricId::VmRefaults, 8000.0 * i, 8000);  // >= 31 MiB/s of pages
    s.components.push_back(h);
    wc.update(s);
  }
  const auto p = wc.classify("host:host");
  EXPECT_EQ(p.cls, WorkloadClass::MemoryBound) << p.evidence;
}

// 3 s busy, 3 s asleep, sampled by a loaded host whose intervals stretch
// unevenly (1.0-1.9 s): the period is 6 s whatever number of samples it spans.
TEST(WorkloadClassifier, APeriodSurvivesUnevenSamplingIntervals) {
  const double dts[] = {1.0, 1.6, 1.2, 1.9, 1.1, 1.4, 1.0, 1.7};
  double t = 0;
  std::vector<WorkloadSample> w;
  for (int i = 0; i < 30; ++i) {
    WorkloadSample s;
    s.interval_s = dts[i % 8];
    // CPU used over [t, t + dt): the busy share of it, at 0.5 CPUs while busy.
    double busy = 0;
    for (double u = t; u < t + s.interval_s - 1e-9; u += 0.01)
      busy += std::fmod(u, 6.0) < 3.0 ? 0.01 : 0.0;
    s.cpu = 0.5 * busy / s.interval_s;
    s.memory_bytes = 5e6;
    t += s.interval_s;
    w.push_back(s);
  }
  const auto p = classify_window(w, 1.0);
  EXPECT_EQ(p.cls, WorkloadClass::Periodic) << p.evidence;
  EXPECT_NEAR(p.period_s, 6.0, 1.5) << p.evidence;
}

// 3 s busy, 3 s asleep on a contended CPU: each busy phase gets a different
// share of it (0.15-0.9 CPUs). The values' autocorrelation at the 6 s period
// is 0.12 (the fixed 0.5 bound read it as bursty); when it runs repeats exactly.
TEST(WorkloadClassifier, ACycleWhoseBusyPhasesGetVaryingCpuIsPeriodic) {
  const double share[] = {0.9, 0.2, 0.7, 0.15, 0.5, 0.85, 0.25, 0.6, 0.3, 0.8};
  const auto p = classify_window(
      series(30,
             [&](int i) {
               return WorkloadSample{i % 6 < 3 ? share[(i / 6) % 10] : 0.0, 0, 0, 5e6};
             }),
      1.0);
  EXPECT_EQ(p.cls, WorkloadClass::Periodic) << p.evidence;
  EXPECT_DOUBLE_EQ(p.period_s, 6.0);
}

// Bursts that last 2-5 samples at irregular times correlate with themselves
// at short lags, but swing back at no lag: not a cycle, whatever the window.
TEST(WorkloadClassifier, IrregularBurstsThatLastAFewSamplesAreNotACycle) {
  std::vector<WorkloadSample> w(30, WorkloadSample{0.05, 0, 0, 5e6});
  for (auto [start, length] : {std::pair{1, 4}, {9, 2}, {13, 5}, {24, 3}})
    for (int i = start; i < start + length; ++i) w[size_t(i)].cpu = 0.9;
  const auto p = classify_window(w, 1.0);
  EXPECT_EQ(p.cls, WorkloadClass::Bursty) << p.evidence;
}

// A random on/off series (no cycle) is periodic by chance no more often than
// the bound's false-alarm rate: 1 in 100, here at most 3 of 100 windows.
TEST(WorkloadClassifier, RandomOnOffIsRarelyReadAsACycle) {
  std::mt19937 rng(7);
  std::bernoulli_distribution on(0.4);
  int periodic = 0;
  for (int trial = 0; trial < 100; ++trial) {
    const auto w = series(30, [&](int) { return WorkloadSample{on(rng) ? 0.8 : 0.02, 0, 0, 5e6}; });
    periodic += classify_window(w, 1.0).cls == WorkloadClass::Periodic;
  }
  EXPECT_LE(periodic, 3);
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

// 20 one-second snapshots of cgroup /vm (0.9 CPUs, no memory figures of its
// own, as on a hybrid host) holding one process that `fill(i, process)` sets.
void feed_cgroup_with_one_process(WorkloadClassifier& wc,
                                  const std::function<void(int, model::Component&)>& fill) {
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
    fill(i, p);
    s.components.push_back(p);
    wc.update(s);
  }
}

TEST(WorkloadClassifier, TracksCgroupsAcrossSnapshotsAndUsesProcessRss) {
  WorkloadClassifier wc;
  feed_cgroup_with_one_process(wc, [](int i, model::Component& p) {
    p.set_gauge(model::MetricId::ProcRss, i % 2 ? 400e6 : 150e6);
  });
  auto p = wc.classify("cgroup:/vm");
  EXPECT_EQ(p.cls, WorkloadClass::MemoryBound) << p.evidence;
  EXPECT_EQ(wc.patterns().size(), 1u);
}

// stress-ng --vm keeps its resident size flat while it drops and touches its
// whole 256 MiB again every ~2 s: the churn is in the page faults.
TEST(WorkloadClassifier, FaultingAFlatWorkingSetAgainIsMemoryChurn) {
  auto w = series(30, [](int) {
    WorkloadSample s{1.0, 0, 0, 256.0 * (1 << 20)};
    s.fault_bytes_s = 128.0 * (1 << 20);
    return s;
  });
  auto p = classify_window(w, 1.0);
  EXPECT_EQ(p.cls, WorkloadClass::MemoryBound) << p.evidence;
}

// Faults that build the resident set once are its growth, counted once: a
// single 256 MiB allocation at the start is not churn over the window.
TEST(WorkloadClassifier, FaultsThatOnlyGrowTheResidentSetAreNotCountedTwice) {
  auto w = series(30, [](int i) {
    WorkloadSample s{1.0, 0, 0, i == 0 ? 8.0 * (1 << 20) : 264.0 * (1 << 20)};
    if (i == 1) s.fault_bytes_s = 256.0 * (1 << 20);
    return s;
  });
  auto p = classify_window(w, 1.0);
  EXPECT_EQ(p.cls, WorkloadClass::CpuBound) << p.evidence;
}

// A few faults at a steady size (a CPU-bound task touching some new pages)
// stay under the churn share.
TEST(WorkloadClassifier, FewFaultsAtASteadySizeAreNotChurn) {
  EXPECT_EQ(label(series(30,
                         [](int) {
                           WorkloadSample s{1.0, 0, 0, 512.0 * (1 << 20)};
                           s.fault_bytes_s = 4.0 * (1 << 20);
                           return s;
                         })),
            WorkloadClass::CpuBound);
}

// On a hybrid host the v2 cgroup has no memory figures: its processes' page
// faults (memory.page_faults deltas) are summed for it like their sizes.
TEST(WorkloadClassifier, ProcessPageFaultsAtAFlatSizeMakeTheCgroupMemoryBound) {
  WorkloadClassifier wc;
  feed_cgroup_with_one_process(wc, [](int i, model::Component& p) {
    p.set_gauge(model::MetricId::ProcRss, 270e6);
    p.set_counter(model::MetricId::VmPageFaults, 32768.0 * i, 32768);  // 128 MiB/s of 4 KiB pages
  });
  auto p = wc.classify("cgroup:/vm");
  EXPECT_EQ(p.cls, WorkloadClass::MemoryBound) << p.evidence;
}

// A cgroup /job sampled at a loaded host's uneven intervals (1.0-1.9 s,
// 1.36 s on average) for `seconds`; `cpu(t, dt)` is its CPU use over
// [t, t + dt). Returns its label after each interval.
std::vector<WorkloadPattern> run_job(double seconds,
                                     const std::function<double(double, double)>& cpu) {
  const double dts[] = {1.0, 1.6, 1.2, 1.9, 1.1, 1.4, 1.0, 1.7};
  WorkloadClassifier wc;
  std::vector<WorkloadPattern> labels;
  double t = 0;
  for (int i = 0; t < seconds; ++i) {
    const double dt = dts[i % 8];
    model::Snapshot s;
    s.interval_s = dt;
    model::Component c;
    c.kind = model::ComponentKind::Cgroup;
    c.id = "/job";
    c.set_gauge(model::MetricId::CpuUtilization, cpu(t, dt));
    s.components.push_back(c);
    wc.update(s);
    labels.push_back(wc.classify("cgroup:/job"));
    t += dt;
  }
  return labels;
}

// The share of [t, t + dt) spent in the busy phase of a cycle that is busy
// for the first `on` seconds of every `period`.
double busy_share(double t, double dt, double period, double on) {
  double busy = 0;
  for (double u = t; u < t + dt - 1e-9; u += 0.01) busy += std::fmod(u, period) < on ? 0.01 : 0;
  return busy / dt;
}

// 10 s on / 10 s off and 30 s on / 30 s off at 0.8 CPUs with noise: the
// 30-sample window holds at most two cycles of the first (lags up to 10
// samples) and never one of the second, whose window may be wholly busy or
// wholly idle. The longer history finds both. At these stretched intervals a
// bin of 3 spans 4.1 s and a 20 s cycle only 4.9 bins, so it takes more than
// three cycles to stand out (at 1 s intervals, three: 60 s); a 60 s cycle
// takes three and a bin.
TEST(WorkloadClassifier, CyclesTooLongForTheWindowAreFoundInTheLongerHistory) {
  for (const auto& scenario : {std::pair{20.0, 150.0}, {60.0, 200.0}}) {
    const double period = scenario.first, enough_s = scenario.second;
    std::mt19937 rng(11);
    std::normal_distribution<double> noise(0, 0.05);
    const auto labels = run_job(480, [&](double t, double dt) {
      return std::max(0.0, 0.8 * busy_share(t, dt, period, period / 2) + noise(rng));
    });
    double t = 0;
    int labelled = 0;
    for (size_t i = 0; i < labels.size(); ++i, t += 1.36) {
      if (t < enough_s) continue;
      ++labelled;
      EXPECT_EQ(labels[i].cls, WorkloadClass::Periodic) << period << " s: " << labels[i].evidence;
      if (labels[i].cls == WorkloadClass::Periodic) {
        EXPECT_NEAR(labels[i].period_s, period, 0.15 * period) << labels[i].evidence;
      }
    }
    EXPECT_GT(labelled, 150);
  }
}

// A cycle that stopped is no longer labelled by it: the history still holds
// minutes of it, but its last period no longer swings.
TEST(WorkloadClassifier, ACycleThatStoppedIsNotPeriodic) {
  auto cycle_then = [](double level) {
    return run_job(400, [=](double t, double dt) {
      return t < 300 ? 0.8 * busy_share(t, dt, 60, 30) : level;
    });
  };
  const auto idle = cycle_then(0.002).back();
  EXPECT_EQ(idle.cls, WorkloadClass::Idle) << idle.evidence;
  const auto steady = cycle_then(0.8).back();
  EXPECT_EQ(steady.cls, WorkloadClass::CpuBound) << steady.evidence;
}

// No cycle at the long scale, over many seeds, at the end of 6 minutes:
// a random on/off series (independent seconds), random bursts (busy and
// asleep for exponential times, 8 s and 15 s on average: no memory, so no
// rhythm), and a steady load with noise. The permutation bound's false-alarm
// rate is exactly 1 in 100 for independent values; bursts spanning several
// bins correlate with themselves at short lags, which shuffles do not keep,
// so they pass by chance somewhat more often (2.2% of 5000 labels measured,
// BENCHMARKS.md "Issue 20 (20o)").
TEST(WorkloadClassifier, RandomBurstsAndASteadyLoadAreNotALongCycle) {
  constexpr int kSeeds = 200;
  int coin_periodic = 0, bursts_periodic = 0, steady_periodic = 0;
  for (int seed = 0; seed < kSeeds; ++seed) {
    std::mt19937 rng{uint32_t(seed)};
    std::bernoulli_distribution on(0.4);
    std::exponential_distribution<double> busy_s(1.0 / 8), idle_s(1.0 / 15);
    std::normal_distribution<double> noise(0, 0.05);
    const auto coin = run_job(360, [&](double, double) { return on(rng) ? 0.8 : 0.02; });
    coin_periodic += coin.back().cls == WorkloadClass::Periodic;
    std::vector<std::pair<double, double>> bursts;  // [start, end)
    for (double t = idle_s(rng); t < 400; t += idle_s(rng)) {
      const double end = t + busy_s(rng);
      bursts.emplace_back(t, end);
      t = end;
    }
    const auto bursty = run_job(360, [&](double t, double dt) {
      double busy = 0;
      for (auto [a, b] : bursts) busy += std::max(0.0, std::min(b, t + dt) - std::max(a, t));
      return std::max(0.0, 0.8 * busy / dt + noise(rng));
    });
    bursts_periodic += bursty.back().cls == WorkloadClass::Periodic;
    const auto steady = run_job(360, [&](double, double) { return 0.6 + noise(rng); });
    steady_periodic += steady.back().cls == WorkloadClass::Periodic;
  }
  std::printf("periodic by chance of %d: on/off %d, bursts %d, steady %d\n", kSeeds, coin_periodic,
              bursts_periodic, steady_periodic);
  EXPECT_LE(coin_periodic, 5);  // two scales searched, 1% each
  EXPECT_LE(bursts_periodic, 10);
  EXPECT_EQ(steady_periodic, 0);
}

}  // namespace
}  // namespace kpulse::analytics
