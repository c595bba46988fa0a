// A consumer of the snapshot stream run by the daemon: the recorder, the
// exporters, analytics, the tuner. Each runs on its own thread behind a
// bounded queue (sink_worker.h), so a slow or failing sink never holds up
// collection or the other sinks.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "model/snapshot.h"

namespace kpulse::daemon {

class SnapshotSink {
 public:
  virtual ~SnapshotSink() = default;
  // Short name for logs: "record", "export", "analytics".
  [[nodiscard]] virtual std::string name() const = 0;
  // Handles one snapshot. May throw: the worker logs it and goes on.
  virtual void consume(const model::Snapshot& snapshot) = 0;
  // SIGHUP with a valid new config: apply what can change live.
  virtual void reconfigure(const config::Config& /*config*/) {}
  // Before shutdown: write out whatever is buffered.
  virtual void flush() {}
  // One line for the periodic status log ("" when nothing to say). Called
  // on the sink's own thread after each item, like consume().
  [[nodiscard]] virtual std::string status() const { return ""; }
};

}  // namespace kpulse::daemon
