#include "analytics/forecast_tracker.h"

#include "model/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace kpulse::analytics {

using model::ComponentKind;
using model::MetricId;

namespace {

// 15 min at 1 s, 2 days at 1 min, 60 days at 1 h: enough for a 7-day
// forecast from the hourly tier (which needs two weeks to see a weekly
// cycle twice) and for a useful one within minutes of starting.
std::vector<HistoryTier> tracker_tiers() {
  return {{1, 900}, {60, 2 * 1440}, {3600, 60 * 24}};
}

int64_t unix_seconds(int64_t ns) {
  return ns >= 0 ? ns / 1'000'000'000 : (ns - 999'999'999) / 1'000'000'000;
}

// A value where a limit is "no limit" (absent) or a real number.
std::optional<double> present(double v) {
  if (!std::isfinite(v) || v <= 0) return std::nullopt;
  return v;
}

}  // namespace

std::string format_forecast_value(const MetricForecast& f, double v) {
  // A cgroup's cpu.utilization counts CPUs (it may exceed 1), as its quota does.
  const bool cpus =
      f.metric == model::info(MetricId::CpuUtilization).name && f.component.starts_with("cgroup:");
  if (!cpus) return model::format(v, f.unit);
  return model::format(v, model::Unit::Count) + " CPUs";
}

std::string summarize_forecast(const MetricForecast& f) {
  auto fmt = [&](double v) { return format_forecast_value(f, v); };
  std::string s = f.component + " " + f.metric + ": now " + fmt(f.last_value);
  s += ", peak " + fmt(f.peak) + " at " + format_weekday_time(f.peak_at_s);
  s += " within " + format_duration(f.horizon_s());
  // Minutes after start the history is short: say so rather than let a
  // peak or an exhaustion time read as a firm prediction.
  if (f.forecast.low_confidence)
    s += " (low confidence: " + std::to_string(f.history_steps) + " steps of history)";
  if (!f.limit) return s;
  s += "; " + f.limit_name + " (" + fmt(*f.limit) + ")";
  // "Now" and the limit print alike once the value is within rounding of
  // it ("now 100% ... (100%) not reached" read as a contradiction).
  if (f.last_value >= *f.limit || fmt(f.last_value) == fmt(*f.limit)) {
    s += " reached now";
  } else if (f.exhaustion.expected_s) {
    s += " reached in " + format_duration(*f.exhaustion.expected_s) + " (" +
         format_weekday_time(f.origin_s + *f.exhaustion.expected_s) + ")";
  } else if (f.exhaustion.earliest_s) {
    s += " not expected; possible in " + format_duration(*f.exhaustion.earliest_s) + " (95% bound)";
  } else {
    s += " not reached within " + format_duration(f.horizon_s());
  }
  return s;
}

std::string format_weekday_time(int64_t unix_s) {
  std::time_t t = unix_s;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%a %H:%M UTC", &tm);
  return buf;
}

std::string ForecastTracker::waiting_reason() const {
  if (!latest_->empty()) return {};
  size_t samples = 0;  // the finest tier's, in the best-covered series
  for (const auto& s : series_)
    samples = std::max(samples, s.ring.range_in_tier(0, s.ring.oldest(0), newest_s_).size());
  return "collecting history: " + std::to_string(samples) + " of " +
         std::to_string(cfg_.min_steps) +
         " samples before the first forecast; hours and days ahead need a recording's minute "
         "and hour tiers (kpulse run records them)";
}

ForecastTracker::ForecastTracker(ForecastTrackerConfig config)
    : cfg_(config), tiers_(tracker_tiers()) {}

ForecastTracker::Series& ForecastTracker::series(const model::Component& c, MetricId metric) {
  std::string name = c.key();
  name += '\n';
  name += model::info(metric).name;
  if (auto it = index_.find(name); it != index_.end()) return series_[it->second];
  index_.emplace(std::move(name), series_.size());
  return series_.emplace_back(
      Series{c.key(), metric, c.kind, SeriesRing(tiers_), 0, std::nullopt, "", 0});
}

void ForecastTracker::add(const model::Component& c, MetricId metric, double value, int64_t t,
                          std::optional<double> limit, const char* limit_name) {
  if (!std::isfinite(value)) return;
  Series& s = series(c, metric);
  s.ring.append(t, value);
  s.last = value;
  s.limit = limit;
  s.limit_name = limit ? limit_name : "";
  s.last_seen_s = t;
}

void ForecastTracker::ingest(const model::Snapshot& snap) {
  const int64_t t = unix_seconds(snap.time_ns);
  newest_s_ = std::max(newest_s_, t);
  size_t untracked = 0;
  for (const auto& c : snap.components) {
    switch (c.kind) {
      case ComponentKind::Host:
        add(c, MetricId::CpuUtilization, c.value(MetricId::CpuUtilization), t, 1.0,
            "all CPUs busy");
        add(c, MetricId::MemUsed, c.value(MetricId::MemUsed), t,
            present(c.value(MetricId::MemTotal)), "memory.total");
        break;
      case ComponentKind::Disk:
        add(c, MetricId::DiskUtilization, c.value(MetricId::DiskUtilization), t, 1.0,
            "device busy all the time");
        // "Disk full in 3 d 4 h": only disks with writable filesystems have it.
        add(c, MetricId::DiskFsUsed, c.value(MetricId::DiskFsUsed), t,
            present(c.value(MetricId::DiskFsCapacity)), "filesystems full");
        break;
      case ComponentKind::Cgroup: {
        const double cpu = c.value(MetricId::CpuUtilization);
        const double mem = c.value(MetricId::CgMemCurrent);
        std::string key = c.key();
        if (!tracked_cgroups_.contains(key)) {
          // Idle cgroups (most of a systemd host) earn no series until they use something.
          const bool active = (std::isfinite(cpu) && cpu > 0) || (std::isfinite(mem) && mem > 0);
          if (!active) break;
          if (tracked_cgroups_.size() >= cfg_.max_cgroups) {
            ++untracked;
            break;
          }
          tracked_cgroups_.insert(std::move(key));
        }
        add(c, MetricId::CpuUtilization, cpu, t, present(c.value(MetricId::CgCpuQuota)),
            "cpu.max quota");
        std::optional<double> mem_limit = present(c.value(MetricId::CgMemMax));
        const char* mem_limit_name = "memory.max";
        if (auto high = present(c.value(MetricId::CgMemHigh));
            high && (!mem_limit || *high < *mem_limit)) {
          mem_limit = high;
          mem_limit_name = "memory.high";
        }
        add(c, MetricId::CgMemCurrent, mem, t, mem_limit, mem_limit_name);
        break;
      }
      default:
        break;
    }
  }
  untracked_cgroups_ = untracked;
}

std::optional<MetricForecast> ForecastTracker::forecast_one(const Series& s) const {
  // The coarsest tier with enough steps: hourly history gives the long
  // horizons, finer tiers give a forecast minutes after start.
  for (size_t tier = tiers_.size(); tier-- > 0;) {
    const int64_t step = tiers_[tier].bucket_seconds;
    const int64_t oldest = s.ring.oldest(tier);
    if (oldest == INT64_MAX) continue;
    auto points = s.ring.range_in_tier(tier, oldest, newest_s_);
    if (points.empty()) continue;
    const int64_t first = points.front().t;
    const int64_t steps = (points.back().t - first) / step + 1;
    if (steps < cfg_.min_steps) continue;
    std::vector<double> y(static_cast<size_t>(steps), std::nan(""));
    for (const auto& p : points) y[static_cast<size_t>((p.t - first) / step)] = p.mean;
    // A series that never moved off zero (an idle loop device) has nothing
    // to forecast: listing it would only bury the ones that matter.
    if (std::all_of(points.begin(), points.end(), [](const auto& p) { return p.mean == 0; }))
      return std::nullopt;

    // Never further ahead than the history reaches back: a forecast from
    // three hours of data says nothing about next week.
    const int horizon = static_cast<int>(std::min<int64_t>(cfg_.max_horizon_s / step, steps));
    ForecastOptions opt;
    opt.horizon = horizon;
    opt.step_seconds = step;
    // Finer tiers are re-forecast often and matter for minutes: the bulk
    // model family is plenty there (BENCHMARKS.md: MASE 0.870 vs 0.839).
    opt.bulk = step < 3600;

    MetricForecast f;
    f.component = s.component;
    f.metric = std::string(model::info(s.metric).name);
    f.unit = model::info(s.metric).unit;
    f.origin_s = points.back().t + step;
    f.step_s = step;
    f.history_steps = static_cast<int>(steps);
    f.forecast = forecast_series(y, opt);
    f.last_value = s.last;
    f.limit = s.limit;
    f.limit_name = s.limit_name;
    // A busy share cannot exceed the whole: keep intervals physical.
    if (f.unit == model::Unit::Ratio && s.kind != ComponentKind::Cgroup)
      for (auto* v : {&f.forecast.point, &f.forecast.hi80, &f.forecast.hi95})
        for (double& x : *v) x = std::min(x, 1.0);
    if (f.limit) f.exhaustion = capacity_exhaustion(f.forecast, *f.limit, step);
    const auto& pt = f.forecast.point;
    if (!pt.empty()) {
      const auto it = std::max_element(pt.begin(), pt.end());
      f.peak = *it;
      f.peak_at_s = f.origin_s + (it - pt.begin()) * step;
    }
    f.summary = summarize_forecast(f);
    return f;
  }
  return std::nullopt;
}

std::vector<const ForecastTracker::Series*> ForecastTracker::reported() const {
  std::vector<const Series*> out, cgroups;
  for (const auto& s : series_) {
    // Gone for longer than a refresh round: its component no longer exists.
    if (s.last_seen_s + std::max<int64_t>(cfg_.refresh_s, 60) < newest_s_) continue;
    (s.kind == ComponentKind::Cgroup ? cgroups : out).push_back(&s);
  }
  // Per metric, cgroups with a limit first (they can run out), then the largest.
  std::stable_sort(cgroups.begin(), cgroups.end(), [](const Series* a, const Series* b) {
    if (a->metric != b->metric) return a->metric < b->metric;
    if (a->limit.has_value() != b->limit.has_value()) return a->limit.has_value();
    return a->last > b->last;
  });
  size_t taken = 0;
  for (size_t i = 0; i < cgroups.size(); ++i) {
    if (i > 0 && cgroups[i]->metric != cgroups[i - 1]->metric) taken = 0;
    if (taken++ < cfg_.reported_cgroups) out.push_back(cgroups[i]);
  }
  return out;
}

void ForecastTracker::evict_gone() {
  // A cgroup not seen for 10 minutes was removed (or renamed): free its slot
  // so a host that keeps creating cgroups keeps forecasting the new ones.
  const int64_t cutoff = newest_s_ - std::max<int64_t>(600, cfg_.refresh_s);
  std::erase_if(series_, [&](const Series& s) {
    return s.kind == ComponentKind::Cgroup && s.last_seen_s < cutoff;
  });
  index_.clear();
  tracked_cgroups_.clear();
  for (size_t i = 0; i < series_.size(); ++i) {
    index_.emplace(series_[i].component + "\n" + std::string(model::info(series_[i].metric).name),
                   i);
    if (series_[i].kind == ComponentKind::Cgroup) tracked_cgroups_.insert(series_[i].component);
  }
}

void ForecastTracker::refresh() {
  last_refresh_s_ = newest_s_;
  evict_gone();
  std::vector<MetricForecast> next;
  for (const Series* s : reported())
    if (auto f = forecast_one(*s)) next.push_back(std::move(*f));
  // Soonest exhaustion first, then the rest in a stable order.
  std::stable_sort(next.begin(), next.end(), [](const MetricForecast& a, const MetricForecast& b) {
    const int64_t ea = a.exhaustion.expected_s.value_or(INT64_MAX);
    const int64_t eb = b.exhaustion.expected_s.value_or(INT64_MAX);
    if (ea != eb) return ea < eb;
    if (a.component != b.component) return a.component < b.component;
    return a.metric < b.metric;
  });
  latest_ = std::make_shared<const std::vector<MetricForecast>>(std::move(next));
}

bool ForecastTracker::maybe_refresh() {
  if (newest_s_ == INT64_MIN) return false;
  if (last_refresh_s_ != INT64_MIN && newest_s_ - last_refresh_s_ < cfg_.refresh_s) return false;
  refresh();
  return true;
}

size_t ForecastTracker::memory_bytes() const {
  size_t n = sizeof(*this);
  for (const auto& s : series_) n += sizeof(s) + s.ring.memory_bytes() + s.component.size();
  return n;
}

}  // namespace kpulse::analytics
