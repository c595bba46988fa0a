#include "dashboard/board.h"

#include <httplib.h>

#include <algorithm>
#include <climits>

#include "analytics/analysis_json.h"
#include "dashboard/api_params.h"
#include "dashboard/live_points.h"
#include "dashboard/page.h"
#include "dashboard/recorded_window.h"
#include "dashboard/views.h"
#include "model/clock.h"
#include "model/snapshot_json.h"
#include "report/series.h"

namespace kpulse::dashboard {
namespace {

using nlohmann::json;

// No client for this long: the analytics and tuner stop publishing. A page
// polls every interval, so a quiet 10 s means it is gone.
constexpr int64_t kClientIdleNs = 10'000'000'000;
// Points a chart or series answer carries at most (a chart is 900 px wide).
constexpr size_t kMaxPoints = 900;
constexpr size_t kDefaultPoints = 600;

// With the charset, cpp-httplib (built with brotli by Debian) leaves the body
// uncompressed: brotli at its default quality cost 30 % of a core for one
// browser polling the charts (bench/dashboard/serving_cost.sh).
constexpr const char* kJson = "application/json; charset=utf-8";

}  // namespace

Board::Board(BoardOptions options)
    : options_(std::move(options)), history_(std::max<size_t>(options_.history_points, 2)) {}

void Board::publish_snapshot(const model::Snapshot& s) {
  history_.add(s);
  auto copy = std::make_shared<const model::Snapshot>(s);
  std::lock_guard lock(mu_);
  latest_.snapshot = std::move(copy);
}

bool Board::wanted() const {
  return model::wall_clock_ns() - last_request_ns_.load() < kClientIdleNs;
}

void Board::publish_analysis(std::shared_ptr<const AnalysisView> view) {
  std::lock_guard lock(mu_);
  latest_.analysis = std::move(view);
}

void Board::publish_tuning(json in_force) {
  std::lock_guard lock(mu_);
  latest_.tuning = std::move(in_force);
}

Board::Latest Board::latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

void Board::touch() {
  const int64_t now = model::wall_clock_ns();
  // Back after a quiet spell: what analytics last published is stale, and
  // fresh results come with the next interval.
  if (now - last_request_ns_.exchange(now) >= kClientIdleNs) {
    std::lock_guard lock(mu_);
    latest_.analysis.reset();
    cache_seq_ = UINT64_MAX;
    cache_.clear();
  }
}

template <class Build>
std::string Board::cached(const std::string& key, Build build) {
  const Latest now = latest();
  const uint64_t seq = now.snapshot ? now.snapshot->seq : UINT64_MAX - 1;
  {
    std::lock_guard lock(mu_);
    if (seq != cache_seq_) {
      cache_.clear();
      cache_seq_ = seq;
    }
    for (const auto& [k, v] : cache_)
      if (k == key) return *v;
  }
  auto body = std::make_shared<const std::string>(build(now));
  std::lock_guard lock(mu_);
  // Bounded: distinct ranges asked within one interval.
  if (cache_seq_ == seq && cache_.size() < 16) cache_.emplace_back(key, body);
  return *body;
}

std::string Board::analytics_state(const Latest& l) const {
  return !options_.analytics ? "off" : l.analysis ? "on" : "starting";
}

std::string Board::snapshot_json(bool full) {
  return cached(full ? "snapshot-full" : "snapshot", [this, full](const Latest& l) -> std::string {
    if (!l.snapshot) return R"({"schema":"kpulse.dashboard/v1","waiting":true})";
    if (full) return model::to_json(*l.snapshot).dump();
    json j = overview_json(*l.snapshot, l.analysis.get());
    j["alerts"]["analytics"] = analytics_state(l);
    return j.dump();
  });
}

std::string Board::alerts_json(int64_t resolved_after_ns) {
  return cached("alerts " + std::to_string(resolved_after_ns), [&](const Latest& l) {
    json active = json::array(), resolved = json::array();
    if (l.analysis) {
      for (const auto& a : l.analysis->last().active_alerts)
        active.push_back(analytics::to_json(a));
      for (const auto& a : l.analysis->resolved())
        if (a.resolved_ns > resolved_after_ns) resolved.push_back(analytics::to_json(a));
    }
    return json{{"analytics", analytics_state(l)},
                {"active", std::move(active)},
                {"resolved", std::move(resolved)}}
        .dump();
  });
}

std::string Board::alert_json(const std::string& id) {
  return cached("alert " + id, [this, &id](const Latest& l) -> std::string {
    if (!l.analysis) return "";
    const analytics::Alert* found = nullptr;
    for (const auto& a : l.analysis->last().active_alerts)
      if (a.id == id) found = &a;
    for (const auto& a : l.analysis->resolved())
      if (!found && a.id == id) found = &a;
    if (!found) return "";
    const int64_t to = l.snapshot ? l.snapshot->time_ns : model::wall_clock_ns();
    const auto window = history_.window(INT64_MIN, to, kDefaultPoints);
    return alert_detail_json(*found, l.snapshot.get(), *l.analysis, l.tuning, window).dump();
  });
}

std::string Board::series_json(const std::string& metric, const std::string& component,
                               const std::string& since, size_t max_points) {
  const auto id = model::metric_by_name(metric);
  if (!id) return "";  // an unknown metric, like an unknown path: 404
  const auto [kind, key] = component_param("component", component);
  const int64_t to = model::wall_clock_ns();
  const int64_t from = time_param("since", since, "-5m", to);
  const auto window = history_.window(from, to, std::clamp<size_t>(max_points, 1, kMaxPoints));
  const auto s = report::component_series(window, kind, key, *id, component);
  json points = json::array();
  for (const auto& p : s.points) points.push_back({p.time_ns, p.value});
  return json{{"metric", metric},
              {"component", component},
              {"unit", std::string(model::to_string(model::info(*id).unit))},
              {"kept", kept_in_history(kind, *id)},
              {"points", std::move(points)}}
      .dump();
}

std::string Board::charts_json(const std::string& since, const std::string& until) {
  return cached("charts " + since + " " + until, [&](const Latest& l) -> std::string {
    const int64_t now = l.snapshot ? l.snapshot->time_ns : model::wall_clock_ns();
    const int64_t from = time_param("since", since, "-5m", now);
    const int64_t to = until.empty() ? now : time_param("until", until, "", now);
    if (from >= to) throw BadParameter("since", "\"" + since + "\" is not before until");
    // "until=now" (or later) is the live window, as no until is.
    const bool to_now = to >= now;
    const int64_t oldest = history_.oldest_ns();
    const bool within_live = oldest != 0 && from >= oldest - 2'000'000'000LL;
    auto live = [&]() -> std::string {
      // The axis starts where the history does, so a young daemon's charts
      // are not mostly empty.
      const int64_t start = std::max(from, oldest ? oldest : from);
      json j = dashboard::charts_json(history_.window(start, to, kMaxPoints),
                                      std::min(start, to - 1'000'000'000), to, l.analysis.get());
      j["source"] = "live";
      return j.dump();
    };
    if (to_now && (within_live || options_.recording_dir.empty())) return live();
    if (options_.recording_dir.empty()) return "";
    try {
      const RecordedWindow w =
          read_recorded_window(options_.recording_dir, from, to, options_.interval_s, kMaxPoints);
      if (!w.snapshots.empty()) {
        // Alerts of the period from the analytics run again over it, as the
        // report finds them: the live analysis knows only its own lifetime.
        // Bounded by the window's points; asked once per range by the page.
        json j = dashboard::charts_json(
            w.snapshots, w.from_ns, w.to_ns, l.analysis.get(),
            options_.analytics ? alerts_over(w.snapshots) : std::vector<analytics::Alert>{});
        j["source"] = "recording (" + w.tier + ")";
        return j.dump();
      }
    } catch (const std::exception&) {
      // Not readable: as if nothing were recorded there.
    }
    // Nothing written yet (a young recording): what the live history has.
    return to_now ? live() : "";
  });
}

std::string Board::recording_json() {
  json j = {{"recording", !options_.recording_dir.empty()},
            {"live_from_ns", history_.oldest_ns()},
            {"tiers", json::array()}};
  if (!options_.recording_dir.empty())
    j["tiers"] = recording_extent(options_.recording_dir)["tiers"];
  return j.dump();
}

std::string Board::live_json(const std::string& since, int64_t after_ns) {
  return cached("live " + since + " " + std::to_string(after_ns), [&](const Latest& l) {
    const int64_t now = l.snapshot ? l.snapshot->time_ns : model::wall_clock_ns();
    const int64_t from = time_param("since", since, "-5m", now);
    // Strictly newer than what the page has (INT64_MAX: nothing).
    const int64_t newer = after_ns < INT64_MAX ? after_ns + 1 : after_ns;
    const auto window = history_.window(std::max(from, newer), now, kMaxPoints);
    return json{{"interval_s", l.snapshot ? l.snapshot->interval_s : options_.interval_s},
                {"from_ns", from},
                {"to_ns", now},
                {"live_from_ns", history_.oldest_ns()},
                {"points", live_points_json(window)}}
        .dump();
  });
}

std::vector<exporters::HttpRoute> Board::routes() {
  using httplib::Request;
  using httplib::Response;
  std::vector<exporters::HttpRoute> r;
  r.push_back({"/", [this](const Request&, Response& res) {
                 touch();
                 res.set_header("Cache-Control", "no-store");
                 res.set_content(page_html(), "text/html; charset=utf-8");
               }});
  auto api = [this, &r](const std::string& path, auto body) {
    r.push_back(
        {path, [this, body](const Request& req, Response& res) {
           touch();
           res.set_header("Cache-Control", "no-store");
           std::string out;
           try {
             out = body(req);
           } catch (const BadParameter& e) {
             res.status = 400;
             res.set_content(json{{"error", e.what()}, {"parameter", e.parameter()}}.dump(), kJson);
             return;
           }
           if (out.empty()) {
             res.status = 404;
             res.set_content(R"({"error":"not found"})", kJson);
             return;
           }
           res.set_content(out, kJson);
         }});
  };
  api("/api/v1/snapshot",
      [this](const Request& q) { return snapshot_json(q.get_param_value("full") == "1"); });
  api("/api/v1/alerts", [this](const Request& q) {
    return alerts_json(integer_param("resolved_after", q.get_param_value("resolved_after"), 0, 0));
  });
  api("/api/v1/alert", [this](const Request& q) { return alert_json(q.get_param_value("id")); });
  api("/api/v1/series", [this](const Request& q) {
    const auto n = integer_param("max_points", q.get_param_value("max_points"), kDefaultPoints, 0);
    return series_json(q.get_param_value("metric"), q.get_param_value("component"),
                       q.get_param_value("since"), static_cast<size_t>(n));
  });
  api("/api/v1/charts", [this](const Request& q) {
    return charts_json(q.get_param_value("since"), q.get_param_value("until"));
  });
  api("/api/v1/recording", [this](const Request&) { return recording_json(); });
  api("/api/v1/live", [this](const Request& q) {
    return live_json(q.get_param_value("since"),
                     integer_param("after", q.get_param_value("after"), 0, 0));
  });
  return r;
}

}  // namespace kpulse::dashboard
