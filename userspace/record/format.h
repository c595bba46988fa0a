// Constants of the recording format shared by the writer and the reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kpulse::record {

// Bumped when the on-disk layout changes; the reader keeps reading every
// version up to this one. 2: listeners and exited tasks are components
// (kinds a version-1 reader does not know) instead of the frames' listener
// and exited sections, which the decoder still reads from version-1 files.
inline constexpr uint32_t kFormatVersion = 2;

enum class Codec : uint8_t { None = 0, Zlib = 1, Zstd = 2 };

// Resolution tiers: full (as collected), 1 minute and 1 hour aggregates.
enum class Tier : uint8_t { Full = 0, Minute = 1, Hour = 2 };
inline constexpr int kTiers = 3;

std::string_view to_string(Codec c);
std::optional<Codec> codec_from_string(std::string_view s);
std::string_view to_string(Tier t);  // "full", "1m", "1h"
std::optional<Tier> tier_from_string(std::string_view s);
// Bucket length of a tier in nanoseconds (0 for Full).
int64_t tier_bucket_ns(Tier t);

// Segment file name for a tier and a UTC day: "2026-11-24.full.kpr".
std::string segment_name(Tier tier, int64_t time_ns);

}  // namespace kpulse::record
