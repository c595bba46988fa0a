#include <gtest/gtest.h>

#include <cmath>

#include "model/listeners_exits.h"
#include "record/downsampler.h"
#include "record/reader.h"
#include "record/recorder.h"
#include "record_test_util.h"

namespace kpulse::record {
namespace {

using model::MetricId;
using testing::kSecond;

constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kBase = 29'666'666 * kMinute;  // a minute boundary

model::Snapshot snap(int64_t t, double util, double oncpu_total, double oncpu_delta,
                     uint64_t hist_slot5) {
  model::Snapshot s;
  s.time_ns = t;
  s.seq = static_cast<uint64_t>(t / kSecond);
  s.interval_s = 20;
  s.hostname = "h";
  model::Component c;
  c.kind = model::ComponentKind::Host;
  c.id = "host";
  c.set_gauge(MetricId::CpuUtilization, util);
  c.set_counter(MetricId::SchedOncpuTime, oncpu_total, oncpu_delta);
  model::HistogramSample h;
  h.id = MetricId::SchedRunqLatency;
  h.delta.slots[5] = hist_slot5;
  h.delta.count = hist_slot5;
  h.delta.sum_ns = hist_slot5 * 40;
  h.total = h.delta;
  c.histograms.push_back(h);
  c.labeled.push_back({MetricId::NetDrops, "NO_SOCKET", oncpu_total, oncpu_delta});
  s.components.push_back(c);
  model::ExitedTask e;
  e.pid = static_cast<uint32_t>(t / kSecond % 100000);
  s.components.push_back(model::to_component(e));
  return s;
}

TEST(Downsampler, KnownAnswersForOneBucket) {
  Downsampler ds(kMinute);
  EXPECT_FALSE(ds.add(snap(kBase + 0 * kSecond, 0.2, 10, 10, 1)));
  EXPECT_FALSE(ds.add(snap(kBase + 20 * kSecond, 0.6, 25, 15, 2)));
  EXPECT_FALSE(ds.add(snap(kBase + 40 * kSecond, 0.4, 27, 2, 4)));
  auto b = ds.add(snap(kBase + kMinute, 0.9, 30, 3, 8));  // opens the next bucket
  ASSERT_TRUE(b);
  EXPECT_EQ(b->samples_merged, 3u);
  EXPECT_EQ(b->mean.time_ns, kBase + 40 * kSecond);
  EXPECT_DOUBLE_EQ(b->mean.interval_s, 60);
  const auto& host = b->mean.components.at(0);
  EXPECT_NEAR(host.value(MetricId::CpuUtilization), 0.4, 1e-12);
  EXPECT_EQ(host.delta(MetricId::CpuUtilization), 0);
  EXPECT_EQ(host.value(MetricId::SchedOncpuTime), 27);  // last cumulative
  EXPECT_EQ(host.delta(MetricId::SchedOncpuTime), 27);  // 10 + 15 + 2
  const auto* h = host.find_histogram(MetricId::SchedRunqLatency);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->delta.slots[5], 7u);
  EXPECT_EQ(h->delta.count, 7u);
  EXPECT_EQ(h->delta.sum_ns, 280u);
  EXPECT_EQ(h->total.slots[5], 4u);  // the last total
  ASSERT_EQ(host.labeled.size(), 1u);
  EXPECT_EQ(host.labeled[0].value, 27);
  EXPECT_EQ(host.labeled[0].delta, 27);
  EXPECT_EQ(model::exited_tasks(b->mean).size(), 3u);  // each event kept
  EXPECT_EQ(b->min.components.at(0).value(MetricId::CpuUtilization), 0.2);
  EXPECT_EQ(b->max.components.at(0).value(MetricId::CpuUtilization), 0.6);
  // Counters have no extremes.
  EXPECT_TRUE(std::isnan(b->min.components.at(0).value(MetricId::SchedOncpuTime)));
  auto rest = ds.take();
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->samples_merged, 1u);
  EXPECT_FALSE(ds.take());
}

TEST(Downsampler, RecorderWritesMinuteAndHourTiersWithExtremes) {
  testing::TempDir dir;
  {
    RecorderOptions o;
    o.dir = dir.path();
    Recorder rec(o);
    // Three minutes at 20 s: util cycles 0.2, 0.6, 0.4.
    const double utils[] = {0.2, 0.6, 0.4};
    for (int i = 0; i < 9; ++i)
      rec.append(snap(kBase + i * 20 * kSecond, utils[i % 3], 10.0 * (i + 1), 10, 1));
  }
  RecordingReader minute(dir.path(), Tier::Minute);
  std::vector<RecordedSnapshot> got;
  minute.read(INT64_MIN, INT64_MAX, [&](RecordedSnapshot&& r) {
    got.push_back(std::move(r));
    return true;
  });
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].samples_merged, 3u);
    const auto& host = got[i].snapshot.components.at(0);
    EXPECT_NEAR(host.value(MetricId::CpuUtilization), 0.4, 1e-12);
    EXPECT_EQ(host.value(MetricId::SchedOncpuTime), 30.0 * (i + 1));
    EXPECT_EQ(host.delta(MetricId::SchedOncpuTime), 30);
    ASSERT_TRUE(got[i].min && got[i].max);
    EXPECT_EQ(got[i].min->components.at(0).value(MetricId::CpuUtilization), 0.2);
    EXPECT_EQ(got[i].max->components.at(0).value(MetricId::CpuUtilization), 0.6);
  }
  RecordingReader hour(dir.path(), Tier::Hour);
  auto hours = hour.read_range(INT64_MIN, INT64_MAX);
  ASSERT_EQ(hours.size(), 1u);
  EXPECT_EQ(hours[0].components.at(0).delta(MetricId::SchedOncpuTime), 90);
}

TEST(History, FinestTierWinsWhereTiersOverlap) {
  testing::TempDir dir;
  {
    RecorderOptions o;
    o.dir = dir.path();
    Recorder rec(o);
    for (int i = 0; i < 9; ++i)
      rec.append(snap(kBase + i * 20 * kSecond, 0.5, 10.0 * (i + 1), 10, 1));
  }
  // Remove the full tier's file: history then comes from the minute tier.
  auto all = load_history(dir.path(), INT64_MIN, INT64_MAX);
  EXPECT_EQ(all.size(), 9u);
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().string().find(".full.") != std::string::npos) std::filesystem::remove(e.path());
  auto coarse = load_history(dir.path(), INT64_MIN, INT64_MAX);
  EXPECT_EQ(coarse.size(), 3u);
}

}  // namespace
}  // namespace kpulse::record
