// Analytics as a daemon sink (analytics/analyzer.h): detectors, alerts,
// workload patterns and forecasts over the live stream. Forecast history is
// loaded from the recording at start, so a restart does not forget weeks of
// it; alert transitions go to the log and, through the event queue, to the
// OTLP exporter as log records.
#include <chrono>

#include "analytics/analyzer.h"
#include "daemon/history_preload.h"
#include "daemon/log.h"
#include "daemon/sinks.h"
#include "model/clock.h"

namespace kpulse::daemon {
namespace {

namespace an = kpulse::analytics;

exporters::EventSeverity severity_of(const an::Alert& a) {
  if (a.state == an::AlertState::Resolved) return exporters::EventSeverity::Info;
  switch (a.severity) {
    case an::Severity::Critical:
      return exporters::EventSeverity::Error;
    case an::Severity::Warning:
      return exporters::EventSeverity::Warn;
    default:
      return exporters::EventSeverity::Info;
  }
}

exporters::ExportEvent alert_event(const an::Alert& a, int64_t time_ns) {
  exporters::ExportEvent e;
  e.time_ns = time_ns;
  e.severity = severity_of(a);
  e.name = "kpulse.alert";
  e.body = std::string(an::to_string(a.state)) + ": " + a.summary;
  e.attributes = {{"kpulse.alert.id", a.id},
                  {"kpulse.alert.state", std::string(an::to_string(a.state))},
                  {"kpulse.alert.rule", a.rule},
                  {"kpulse.alert.severity", std::string(an::to_string(a.severity))},
                  {"kpulse.resource", std::string(an::to_string(a.resource))},
                  {"kpulse.component", a.component},
                  {"kpulse.alert.cause", a.cause}};
  return e;
}

LogLevel log_level_of(const an::Alert& a) {
  if (a.state == an::AlertState::Firing && a.severity == an::Severity::Critical)
    return LogLevel::Error;
  if (a.state == an::AlertState::Firing) return LogLevel::Warning;
  return LogLevel::Info;
}

class AnalyticsSink : public SnapshotSink {
 public:
  AnalyticsSink(const config::Config& c, std::shared_ptr<EventQueue> events,
                std::shared_ptr<dashboard::Board> board)
      : events_(std::move(events)), board_(std::move(board)) {
    if (!c.record.enabled) return;
    const auto now = model::wall_clock_ns();
    const auto t0 = std::chrono::steady_clock::now();
    PreloadResult r = preload_history(analyzer_, c.recording_dir(), now);
    for (const auto& w : r.warnings) log(LogLevel::Warning, "analytics: history: {}", w);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    log(LogLevel::Info, "analytics: loaded {} recorded snapshots ({:.1f} h) from {} in {:.0f} ms",
        r.snapshots, (r.last_ns - r.first_ns) / 3.6e12, c.recording_dir(), ms);
    preloaded_ = r.snapshots;
  }

  [[nodiscard]] std::string name() const override { return "analytics"; }

  void consume(const model::Snapshot& s) override {
    last_ = std::make_shared<const an::AnalysisResult>(analyzer_.ingest(s));
    for (const auto& a : last_->transitions) {
      log(log_level_of(a), "alert {}: [{}] {} (id {})", an::to_string(a.state),
          an::to_string(a.severity), a.summary, a.id);
      if (events_) events_->push(alert_event(a, s.time_ns));
    }
    // Handed to the dashboard only while a browser or script is reading it;
    // shared, not copied.
    if (board_ && board_->wanted()) {
      if (!resolved_ || !last_->transitions.empty())
        resolved_ = std::make_shared<const std::vector<an::Alert>>(analyzer_.alerts().resolved());
      board_->publish_analysis(std::make_shared<const dashboard::AnalysisView>(
          dashboard::AnalysisView{last_, resolved_, analyzer_.forecaster().waiting_reason()}));
    } else {
      resolved_.reset();  // re-read when a client comes back
    }
  }

  [[nodiscard]] std::string status() const override {
    size_t firing = 0;
    if (!last_) return "";
    for (const auto& a : last_->active_alerts) firing += a.state == an::AlertState::Firing;
    return fmt::format("{} alerts firing, {} forecasts, {} series, {} recorded snapshots preloaded",
                       firing, last_->forecasts().size(), analyzer_.forecaster().series_count(),
                       preloaded_);
  }

 private:
  an::Analyzer analyzer_;
  // Shared with the dashboard, which reads it from the listener's threads.
  std::shared_ptr<const an::AnalysisResult> last_;
  std::shared_ptr<const std::vector<an::Alert>> resolved_;  // as last handed to the dashboard
  std::shared_ptr<EventQueue> events_;
  std::shared_ptr<dashboard::Board> board_;
  size_t preloaded_ = 0;
};

}  // namespace

std::unique_ptr<SnapshotSink> make_analytics_sink(const config::Config& config,
                                                  std::shared_ptr<EventQueue> events,
                                                  std::shared_ptr<dashboard::Board> board) {
  return std::make_unique<AnalyticsSink>(config, std::move(events), std::move(board));
}

}  // namespace kpulse::daemon
