// Live forecasts: compact multi-resolution history of the series worth
// forecasting (host CPU and memory, disk utilisation and filesystem usage,
// every cgroup's CPU and memory against its own limits), re-forecast every `refresh_s` of snapshot
// time, with capacity exhaustion times against each series' limit.
//
// Why a separate history and not analytics::History: History keeps every
// metric of every component (270 KiB per series, up to its cap), which is
// right for charts of one component but far too much to keep for a whole host
// just to forecast a handful of capacity signals. Here a series costs 83 KiB
// and only the signals above are kept.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analytics/forecast.h"
#include "analytics/forecast_capacity.h"
#include "analytics/history_ring.h"
#include "model/snapshot.h"

namespace kpulse::analytics {

struct ForecastTrackerConfig {
  int64_t refresh_s = 60;       // snapshot time between two forecast rounds
  size_t max_cgroups = 64;      // cgroups tracked; later ones are counted, not kept
  size_t reported_cgroups = 8;  // per metric: those with a limit first, then the largest
  int min_steps = 60;           // history (in steps of the chosen tier) before a forecast
  int64_t max_horizon_s = 7LL * 24 * 3600;
};

struct MetricForecast {
  std::string component;  // component key, "cgroup:/app.slice/db.service"
  std::string metric;     // catalog name, "cgroup.memory.current"
  model::Unit unit = model::Unit::Count;
  int64_t origin_s = 0;   // end of the history the forecast starts from (unix s)
  int64_t step_s = 0;     // forecast step: 1 s, 1 min or 1 h (the tier used)
  int history_steps = 0;  // steps of history it was fitted on
  Forecast forecast;      // point and intervals, one value per step
  double last_value = 0;  // newest history value
  std::optional<double> limit;
  std::string limit_name;  // "memory.max", "cpu.max", "all CPUs busy", ...
  Exhaustion exhaustion;   // against `limit`, when there is one
  double peak = 0;         // highest point forecast, and when (unix s)
  int64_t peak_at_s = 0;
  std::string summary;  // one line for people

  [[nodiscard]] int64_t horizon_s() const {
    return static_cast<int64_t>(forecast.point.size()) * step_s;
  }
};

// A value of the forecast's metric for people: "3.1 GiB", "85%", "1.50 CPUs"
// (a cgroup's CPU use counts CPUs, as its quota does).
std::string format_forecast_value(const MetricForecast& f, double v);
// One line for people: "host cpu.utilization: now 62%, peak 97% at Sat 11:54
// UTC within 7 d; all CPUs busy (100%) reached in 2 d 3 h (Mon 09:00 UTC)".
std::string summarize_forecast(const MetricForecast& f);
// "Tue 14:00 UTC".
std::string format_weekday_time(int64_t unix_s);

class ForecastTracker {
 public:
  explicit ForecastTracker(ForecastTrackerConfig config = {});

  // Adds the snapshot's values to the history. Also takes downsampled
  // snapshots from a recording (gauge means per bucket), oldest first, so a
  // restarted agent forecasts from its recorded past.
  void ingest(const model::Snapshot& snap);
  // Re-forecasts when `refresh_s` has passed since the last round (or never
  // ran); returns true when `latest()` changed.
  bool maybe_refresh();
  // Forecasts now, whatever the cadence.
  void refresh();

  [[nodiscard]] const std::vector<MetricForecast>& latest() const { return *latest_; }
  [[nodiscard]] std::shared_ptr<const std::vector<MetricForecast>> latest_shared() const {
    return latest_;
  }
  // Why latest() is empty, for people ("collecting history: 12 of 60 samples
  // ..."); empty when there are forecasts.
  [[nodiscard]] std::string waiting_reason() const;
  [[nodiscard]] size_t series_count() const { return series_.size(); }
  [[nodiscard]] size_t untracked_cgroups() const { return untracked_cgroups_; }
  [[nodiscard]] size_t memory_bytes() const;

 private:
  struct Series {
    std::string component;
    model::MetricId metric;
    model::ComponentKind kind;
    SeriesRing ring;
    double last = 0;
    std::optional<double> limit;
    std::string limit_name;
    int64_t last_seen_s = 0;
  };

  Series& series(const model::Component& c, model::MetricId metric);
  void add(const model::Component& c, model::MetricId metric, double value, int64_t t,
           std::optional<double> limit, const char* limit_name);
  std::optional<MetricForecast> forecast_one(const Series& s) const;
  [[nodiscard]] std::vector<const Series*> reported() const;
  void evict_gone();

  ForecastTrackerConfig cfg_;
  std::vector<HistoryTier> tiers_;
  std::vector<Series> series_;
  std::unordered_map<std::string, size_t> index_;    // "<key>\n<metric>"
  std::unordered_set<std::string> tracked_cgroups_;  // component keys
  size_t untracked_cgroups_ = 0;                     // in the newest snapshot, beyond max_cgroups
  int64_t newest_s_ = INT64_MIN;
  int64_t last_refresh_s_ = INT64_MIN;
  std::shared_ptr<const std::vector<MetricForecast>> latest_ =
      std::make_shared<const std::vector<MetricForecast>>();
};

}  // namespace kpulse::analytics
