// The live dashboard's state and HTTP API, served by `kpulse run` on the
// same listener as /metrics (docs/dashboard.md).
//
// The sinks publish into it (the latest snapshot and the thinned last hour;
// the analytics' alerts, patterns, forecasts and recommendations; the tuning
// changes in force); the listener's threads read it. Responses are built on
// request and cached per snapshot, so with no browser open nothing is
// encoded, and the analytics and tuner skip publishing (wanted()).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analytics/analyzer.h"
#include "dashboard/recent_history.h"
#include "exporters/prometheus_server.h"
#include "model/snapshot.h"

namespace kpulse::dashboard {

struct BoardOptions {
  size_t history_points = 3600;  // thinned snapshots kept (the last hour at 1 s)
  bool analytics = true;         // whether an analytics sink will publish
  std::string recording_dir;     // older windows are read from here ("": not recording)
  double interval_s = 1;         // collection interval (the recording's full-tier step)
};

// What the analytics sink hands over each interval (while wanted()): shared,
// not copied (the result is the sink's own, the resolved list changes only
// with a transition).
struct AnalysisView {
  std::shared_ptr<const analytics::AnalysisResult> result;
  std::shared_ptr<const std::vector<analytics::Alert>> resolved_alerts;  // most recent last
  std::string forecast_status;  // why there are no forecasts yet
  [[nodiscard]] const analytics::AnalysisResult& last() const { return *result; }
  [[nodiscard]] const std::vector<analytics::Alert>& resolved() const { return *resolved_alerts; }
};

class Board {
 public:
  explicit Board(BoardOptions options);

  // From the dashboard sink, every interval.
  void publish_snapshot(const model::Snapshot& s);
  // Whether a client asked for anything in the last 10 s.
  [[nodiscard]] bool wanted() const;
  void publish_analysis(std::shared_ptr<const AnalysisView> view);
  // Tuning changes in force (on trial or kept), as docs/dashboard.md shows them.
  void publish_tuning(nlohmann::json in_force);

  // The page and the API, for the listener.
  std::vector<exporters::HttpRoute> routes();

  // Responses (also used by the unit tests); `query` values as in the URL.
  // A parameter they cannot use throws BadParameter (api_params.h), which
  // routes() answers 400.
  std::string snapshot_json(bool full);
  // Active alerts, and the resolved ones kept that resolved after
  // `resolved_after_ns` (0: all), so a page asks only for what is new.
  std::string alerts_json(int64_t resolved_after_ns = 0);
  // "" when no alert has this id (active or among the resolved kept).
  std::string alert_json(const std::string& id);
  std::string series_json(const std::string& metric, const std::string& component,
                          const std::string& since, size_t max_points);
  // Live history when `since` lies within it and `until` is empty; the
  // recording otherwise. "" when neither holds the window.
  std::string charts_json(const std::string& since, const std::string& until = "");
  // {"recording": bool, "tiers": [...], "live_from_ns"}: what the range picker offers.
  std::string recording_json();
  // The live history's intervals within `since` and newer than `after_ns`,
  // as numbers (live_points.h), at most 900 of them: what the page charts.
  std::string live_json(const std::string& since, int64_t after_ns);

 private:
  struct Latest {
    std::shared_ptr<const model::Snapshot> snapshot;
    std::shared_ptr<const AnalysisView> analysis;
    nlohmann::json tuning = nlohmann::json::array();
  };
  Latest latest() const;
  // "on", "starting" (nothing published since a client came) or "off".
  std::string analytics_state(const Latest& l) const;
  void touch();
  // A response cached for the current snapshot under `key`.
  template <class Build>
  std::string cached(const std::string& key, Build build);

  BoardOptions options_;
  RecentHistory history_;
  mutable std::mutex mu_;
  Latest latest_;
  uint64_t cache_seq_ = UINT64_MAX;
  std::vector<std::pair<std::string, std::shared_ptr<const std::string>>> cache_;
  std::atomic<int64_t> last_request_ns_{0};
};

}  // namespace kpulse::dashboard
