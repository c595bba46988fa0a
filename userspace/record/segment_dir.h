// Segment files in a recording directory: names, days, listing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "record/format.h"

namespace kpulse::record {

inline constexpr int64_t kDayNs = 86'400'000'000'000LL;

int64_t day_of(int64_t time_ns);  // days since the epoch (UTC), floored

struct SegmentFile {
  std::filesystem::path path;
  Tier tier = Tier::Full;
  int64_t day = 0;
  uint64_t bytes = 0;
  bool set_aside = false;  // "….kpr.bad": the writer could not append to it
};

// "2026-11-24.full.kpr" (or "….kpr.bad") -> tier and day; nullopt for any
// other name.
std::optional<SegmentFile> parse_segment_name(const std::filesystem::path& path);
// The directory's segments (all tiers), oldest day first. Throws
// std::filesystem::filesystem_error when the directory cannot be listed.
std::vector<SegmentFile> list_segments(const std::filesystem::path& dir);

}  // namespace kpulse::record
