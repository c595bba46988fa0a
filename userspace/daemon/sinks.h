// Builds the sinks `kpulse run` feeds from the configuration. Each sink's
// implementation lives with its area (record/, exporters/, analytics/,
// tune/); the adapters here are compiled in when that area is part of the
// build, and an enabled feature that is not gets a clear log line instead.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/event_queue.h"
#include "daemon/sink.h"
#include "dashboard/board.h"

namespace kpulse::daemon {

struct SinkSet {
  std::vector<std::unique_ptr<SnapshotSink>> sinks;
  std::vector<std::string> notes;  // "record: enabled but not built into this binary"
};

// Throws std::runtime_error when an enabled sink cannot start (e.g. the
// Prometheus port is taken): better to fail at start than run half-blind.
SinkSet make_sinks(const config::Config& config);

// Adapters, each defined in its own sink_<name>.cpp; nullptr when the area
// is not built in. `board`: the live dashboard to publish to (null when off).
// `events`: the pause and resume alerts of a full disk, for OTLP (may be null).
std::unique_ptr<SnapshotSink> make_record_sink(const config::Config& config,
                                               std::shared_ptr<EventQueue> events);
// `events`: alerts and other events to send as OTLP log records (may be null).
// Throws when the dashboard would serve beyond loopback without a token, or
// its token or TLS files cannot be read.
std::unique_ptr<SnapshotSink> make_export_sink(const config::Config& config,
                                               std::shared_ptr<EventQueue> events,
                                               std::shared_ptr<dashboard::Board> board = nullptr);
std::unique_ptr<SnapshotSink> make_analytics_sink(
    const config::Config& config, std::shared_ptr<EventQueue> events,
    std::shared_ptr<dashboard::Board> board = nullptr);
// Throws when applying and another tuner holds the state directory.
std::unique_ptr<SnapshotSink> make_tuning_sink(const config::Config& config,
                                               std::shared_ptr<EventQueue> events,
                                               std::shared_ptr<dashboard::Board> board = nullptr);
// Feeds the dashboard's latest snapshot and live history.
std::unique_ptr<SnapshotSink> make_dashboard_sink(std::shared_ptr<dashboard::Board> board);

}  // namespace kpulse::daemon
