// Writes the snapshot stream to segment files under a state directory: one
// file per UTC day per tier, compressed checksummed blocks of delta-encoded
// frames (format: docs/recording.md). Full resolution plus 1 min and 1 h
// downsampled tiers, each with its own retention.
//
// The writer never throws into the collection loop: append() records a
// failure (disk full, I/O error) in status(), keeps a bounded backlog of
// sealed blocks and retries on later calls until the disk accepts them again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "model/snapshot.h"
#include "record/format.h"
#include "record/retention.h"

namespace kpulse::record {

struct RecorderOptions {
  std::filesystem::path dir = "/var/lib/kpulse/recordings";
  Codec codec = Codec::Zstd;
  int level = 3;  // zstd 1..19, zlib 1..9
  // A block is sealed (compressed, checksummed, written) when it holds this
  // many frames or this many uncompressed bytes: at 1 s, at most a minute of
  // data is lost in a crash.
  uint32_t frames_per_block = 60;
  uint64_t max_block_raw_bytes = 16ull << 20;
  bool downsample = true;  // write the 1 min and 1 h tiers
  RetentionPolicy retention;
  // Sealed blocks kept in memory while the disk refuses them; beyond it the
  // oldest are dropped (and counted).
  uint64_t max_backlog_bytes = 64ull << 20;
  // Failed writes are retried at most this often.
  int64_t retry_interval_ns = 10'000'000'000;
  // Tests only: called before every write with the byte count; a nonzero
  // return is treated as that errno (ENOSPC to simulate a full disk).
  std::function<int(size_t bytes)> write_fault;
  // Called (under the recorder's lock) with things an operator should read
  // in the log: a file set aside as `.kpr.bad`.
  std::function<void(const std::string&)> notice;
};

enum class RecorderState : uint8_t {
  Ok,
  Paused,  // writes fail (disk full or I/O error); backlog kept, retrying
};

struct RecorderStatus {
  RecorderState state = RecorderState::Ok;
  std::string last_error;          // "…/2026-11-24.full.kpr: No space left on device"
  int64_t paused_since_ns = 0;     // wall clock of the first failure, 0 when Ok
  uint64_t snapshots = 0;          // appended (full tier)
  uint64_t blocks_written = 0;     // all tiers
  uint64_t bytes_written = 0;      // all tiers, compressed, headers included
  uint64_t samples_written = 0;    // full tier samples (see bytes_per_sample)
  uint64_t backlog_bytes = 0;      // sealed blocks waiting for the disk
  uint64_t dropped_blocks = 0;     // lost because the backlog overflowed
  uint64_t retention_deleted = 0;  // segment files removed by retention
};

class Recorder {
 public:
  // Creates `dir` (mode 0750) if needed. Never throws for I/O trouble: an
  // unwritable directory, or one another user could write in (see
  // record/private_dir.h), shows as Paused in status().
  explicit Recorder(RecorderOptions options);
  // On start, the 1 min and 1 h tiers are completed from the full tier where
  // a crash left them behind (docs/recording.md, "Crash").
  // Calls finish().
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Adds one snapshot (and feeds the downsampled tiers). noexcept: the
  // collection loop must go on whatever the disk does.
  void append(const model::Snapshot& snapshot) noexcept;
  // Seals the open blocks of every tier and tries to write the backlog.
  void flush() noexcept;
  // Shutdown: also closes the open 1 min and 1 h buckets (partially), writes
  // everything and syncs. What could not be written shows in status()
  // (Paused, backlog_bytes).
  void finish() noexcept;
  // Applies the retention policy now (append() also does, once an hour).
  void apply_retention() noexcept;

  [[nodiscard]] RecorderStatus status() const;
  [[nodiscard]] const RecorderOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kpulse::record
