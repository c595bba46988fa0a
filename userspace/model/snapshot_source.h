// Where a consumer's snapshots come from: the live collector, a synthetic
// host (tests, benchmarks, demos) or a recording being replayed. Defined in
// the model so that sources (record/, cli/) and readers (tui/) both depend
// only on the model, not on each other.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "model/snapshot.h"

namespace kpulse::model {

class SnapshotSource {
 public:
  virtual ~SnapshotSource() = default;

  // Blocks until the next snapshot is due and returns it; nullopt when the
  // source has no more (end of a recording). Throws on collection failure.
  virtual std::optional<model::Snapshot> next() = 0;
  // One line for the header: "live", "synthetic", "replay host.kpr".
  [[nodiscard]] virtual std::string describe() const = 0;

  // Time travel, for recordings. A seekable source moves its cursor and
  // returns the snapshot there; the UI pauses while the user steps.
  [[nodiscard]] virtual bool seekable() const { return false; }
  // The snapshot `delta` steps from the current one (negative: back in time).
  virtual std::optional<model::Snapshot> step(int /*delta*/) { return std::nullopt; }
  // The first snapshot at or after `time_ns` (Unix epoch nanoseconds).
  virtual std::optional<model::Snapshot> seek(int64_t /*time_ns*/) { return std::nullopt; }
};

}  // namespace kpulse::model
