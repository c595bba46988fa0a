#include "daemon/sinks.h"

#include <algorithm>

namespace kpulse::daemon {

SinkSet make_sinks(const config::Config& config) {
  SinkSet set;
  auto add = [&set](const char* what, bool enabled, std::unique_ptr<SnapshotSink> sink) {
    if (!enabled) return;
    if (sink)
      set.sinks.push_back(std::move(sink));
    else
      set.notes.push_back(std::string(what) + ": enabled but not built into this binary");
  };
  // Events for the OTLP exporter's log records: analytics' alerts, the
  // recorder's pause and resume, the tuner's actions.
  auto events = config.otlp.enabled ? std::make_shared<EventQueue>() : nullptr;
  // The dashboard: fed by its own sink, published to by analytics and the
  // tuner, served by the export sink's listener.
  std::shared_ptr<dashboard::Board> board;
  if (config.dashboard.enabled) {
    const double interval = std::max(config.collection.interval_s, 0.01);
    board = std::make_shared<dashboard::Board>(dashboard::BoardOptions{
        static_cast<size_t>(static_cast<double>(config.dashboard.history_s) / interval) + 1,
        config.analytics.enabled, config.record.enabled ? config.recording_dir() : "", interval});
    set.sinks.push_back(make_dashboard_sink(board));
  }
  add("record", config.record.enabled,
      config.record.enabled ? make_record_sink(config, events) : nullptr);
  bool exporting = config.prometheus.enabled || config.otlp.enabled;
  add("analytics", config.analytics.enabled,
      config.analytics.enabled ? make_analytics_sink(config, events, board) : nullptr);
  exporting = exporting || board;
  add("export", exporting, exporting ? make_export_sink(config, events, board) : nullptr);
  add("tuning", config.tuning.enabled,
      config.tuning.enabled ? make_tuning_sink(config, events, board) : nullptr);
  return set;
}

}  // namespace kpulse::daemon
