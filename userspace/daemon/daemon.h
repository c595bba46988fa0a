// `kpulse run`: owns the collection loop and fans each snapshot out to the
// sinks (recorder, exporters, analytics, tuner), each on its own thread
// behind a bounded queue. Handles reloads (live options applied, the others
// reported as needing a restart) and periodic status lines.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "daemon/sink_worker.h"
#include "model/snapshot.h"

namespace kpulse::daemon {

class Daemon {
 public:
  // The next snapshot, or nullopt once `stop` says so (engine::Collector::next).
  using Source = std::function<std::optional<model::Snapshot>(const std::function<bool()>& stop)>;
  // Reads the configuration again; throws config::ConfigError.
  using Reloader = std::function<config::Config()>;

  Daemon(config::Config config, Source source, Reloader reloader = {});
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  void add_sink(std::unique_ptr<SnapshotSink> sink);

  // Collects until `stop` returns true; calls reload() whenever
  // `reload_requested` returns true. Stops the sinks (flushing them) before
  // returning. Returns the number of snapshots collected.
  uint64_t run(
      const std::function<bool()>& stop,
      const std::function<bool()>& reload_requested = [] { return false; });

  // Re-reads the configuration. A bad file is logged and the running
  // configuration kept. Returns the options that need a restart to apply.
  std::vector<std::string> reload();

  [[nodiscard]] const config::Config& config() const { return current_; }
  [[nodiscard]] std::vector<std::pair<std::string, SinkStats>> sink_stats() const;
  // After run(): a sink could not write out what it buffered (logged).
  [[nodiscard]] bool shutdown_lost_data() const;
  // The status line logged every daemon.status_interval.
  [[nodiscard]] std::string status_line() const;

 private:
  void stop_sinks();

  const config::Config started_;  // what the process started with
  config::Config current_;        // with live changes applied
  Source source_;
  Reloader reloader_;
  std::vector<std::unique_ptr<SinkWorker>> workers_;
  uint64_t snapshots_ = 0;
};

}  // namespace kpulse::daemon
