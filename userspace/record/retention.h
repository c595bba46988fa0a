// Retention: which recording segments are deleted, by age per tier and by a
// cap on their total size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "record/segment_dir.h"

namespace kpulse::record {

struct RetentionPolicy {
  // Age limits per tier, in days (a segment is deleted once its whole day is
  // older than this). The defaults keep 35+ days at reduced resolution (the
  // 1 h tier costs ~4 MB/day even on a busy build host: BENCHMARKS.md).
  int full_days = 2;
  int minute_days = 14;
  int hour_days = 400;
  // Cap on all segment files together; 0: no cap. Over the cap, the oldest
  // segments of the finest tier go first (today's open files are kept).
  uint64_t max_total_bytes = 4ull << 30;
};

// Deletes the segments in `dir` whose whole day is older than their tier's
// limit at `now_ns`; then, while all together exceed the size cap, the
// oldest segments of the finest tier first. Segments `in_use` (open for
// writing) are kept. Returns the files deleted; a directory that cannot be
// listed deletes nothing.
uint64_t apply_retention_policy(const std::filesystem::path& dir, const RetentionPolicy& policy,
                                int64_t now_ns,
                                const std::function<bool(const SegmentFile&)>& in_use);

}  // namespace kpulse::record
