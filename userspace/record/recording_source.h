// Replays a recording through the TUI's SnapshotSource interface: next()
// paces through it at the recorded intervals (or as fast as asked), step()
// and seek() jump in time.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "record/reader.h"
#include "model/snapshot_source.h"

namespace kpulse::record {

struct RecordingSourceOptions {
  Tier tier = Tier::Full;
  std::optional<int64_t> start_ns;  // --at; default: the start of the recording
  // Wall-clock wait between snapshots in next(); zero: no wait (tests).
  std::chrono::milliseconds pace{1000};
};

class RecordingSource : public model::SnapshotSource {
 public:
  // Throws RecordError when the directory holds no readable snapshot.
  RecordingSource(std::filesystem::path dir, RecordingSourceOptions options);
  ~RecordingSource() override;

  std::optional<model::Snapshot> next() override;
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] bool seekable() const override { return true; }
  std::optional<model::Snapshot> step(int delta) override;
  std::optional<model::Snapshot> seek(int64_t time_ns) override;
  // Blocks skipped so far (damaged, torn), as RecordingReader::warnings().
  [[nodiscard]] std::vector<std::string> warnings() const { return reader_.warnings(); }

 private:
  std::filesystem::path dir_;
  RecordingSourceOptions options_;
  RecordingReader reader_;
  RecordingCursor cursor_;
  bool started_ = false;
};

}  // namespace kpulse::record
