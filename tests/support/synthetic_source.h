// A deterministic fake host for tests, benchmarks and the demo executable.
// Test support, not a product source: it lives under tests/ and depends only
// on the model. The binary links it for its hidden development sources
// (`kpulse top --source synthetic`, `kpulse report --source synthetic`). It
// is labelled "synthetic" everywhere it appears so it is never mistaken for
// measurements.
#pragma once

#include <chrono>
#include <cstdint>

#include "model/snapshot_source.h"

namespace kpulse::synthetic {

struct SyntheticOptions {
  int cpus = 4;
  int cgroups = 12;    // spread over a two-level tree under system.slice / user.slice
  int processes = 30;  // assigned round-robin to the leaf cgroups
  int disks = 2;
  int interfaces = 2;
  uint64_t seed = 1;
  // How long next() waits; zero for tests and benchmarks.
  std::chrono::milliseconds interval{0};
};

class SyntheticSource : public model::SnapshotSource {
 public:
  explicit SyntheticSource(SyntheticOptions options);
  std::optional<model::Snapshot> next() override;
  [[nodiscard]] std::string describe() const override { return "synthetic"; }
  [[nodiscard]] bool seekable() const override { return true; }
  std::optional<model::Snapshot> step(int delta) override;
  std::optional<model::Snapshot> seek(int64_t time_ns) override;

  // The snapshot at sequence number `seq`: a pure function of the options.
  [[nodiscard]] model::Snapshot at(uint64_t seq) const;

 private:
  SyntheticOptions options_;
  uint64_t seq_ = 0;  // next snapshot to hand out
};

}  // namespace kpulse::synthetic
