// Reads a recording directory: time range, seeking, forward and backward
// iteration, range reads. Corrupt or torn blocks are skipped (their checksum
// fails) with a warning; everything around them stays readable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/snapshot.h"
#include "record/format.h"

namespace kpulse::record {

// Unreadable directory or a file that is not a recording at all.
class RecordError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TimeRange {
  int64_t first_ns = 0;  // time_ns of the first and last snapshot
  int64_t last_ns = 0;
};

// One stored instant. Full tier: `snapshot` is exactly what was appended
// (see docs/recording.md for what is stored). Downsampled tiers: `snapshot`
// holds gauge means, last cumulative counter values with deltas summed over
// the bucket, merged histograms, all exited tasks and the last listeners;
// `min` and `max` hold the gauges' extremes (same components, gauge samples
// only) and `samples_merged` how many snapshots the bucket covers.
struct RecordedSnapshot {
  model::Snapshot snapshot;
  std::optional<model::Snapshot> min;
  std::optional<model::Snapshot> max;
  uint32_t samples_merged = 1;
};

class RecordingReader {
 public:
  // Indexes the segment files of `tier` in `dir` (block headers only).
  // Throws RecordError when `dir` cannot be listed.
  explicit RecordingReader(std::filesystem::path dir, Tier tier = Tier::Full);
  ~RecordingReader();
  RecordingReader(RecordingReader&&) noexcept;
  RecordingReader& operator=(RecordingReader&&) noexcept;

  [[nodiscard]] Tier tier() const;
  // nullopt when the tier holds no readable block.
  [[nodiscard]] std::optional<TimeRange> time_range() const;
  // Snapshots with from_ns <= time_ns <= to_ns, oldest first; `fn` returns
  // false to stop early.
  void read(int64_t from_ns, int64_t to_ns,
            const std::function<bool(RecordedSnapshot&&)>& fn) const;
  [[nodiscard]] std::vector<model::Snapshot> read_range(int64_t from_ns, int64_t to_ns) const;
  // Skipped blocks, bad files, unknown metrics: "file: offset N: reason".
  [[nodiscard]] std::vector<std::string> warnings() const;

  // Re-lists the directory (a live recording grows).
  void refresh();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend class RecordingCursor;
};

// A position in a recording for stepping (replay): seek, then move forward
// or backward one snapshot at a time. Decodes one block at a time.
class RecordingCursor {
 public:
  explicit RecordingCursor(const RecordingReader& reader);
  ~RecordingCursor();

  // The first snapshot at or after time_ns (the last one if time_ns is past
  // the end); nullopt when the recording is empty.
  std::optional<RecordedSnapshot> seek(int64_t time_ns);
  std::optional<RecordedSnapshot> first();
  std::optional<RecordedSnapshot> last();
  // Moves `delta` snapshots (negative: back); stops at either end and
  // returns nullopt when already there.
  std::optional<RecordedSnapshot> step(int delta);
  [[nodiscard]] std::optional<RecordedSnapshot> current() const;

 private:
  struct State;
  const RecordingReader& reader_;
  std::unique_ptr<State> state_;
};

// Analytics history: the finest tier that covers each part of [from, to]
// (hour, then minute, then full resolution for the most recent part),
// oldest first, without overlaps.
// `warnings`, when given, receives every reader's warnings after the
// reading (skipped blocks are only found while decoding).
std::vector<model::Snapshot> load_history(const std::filesystem::path& dir, int64_t from_ns,
                                          int64_t to_ns,
                                          std::vector<std::string>* warnings = nullptr);

}  // namespace kpulse::record
