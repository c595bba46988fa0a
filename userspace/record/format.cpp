#include "record/format.h"

#include <ctime>

#include <fmt/format.h>

namespace kpulse::record {

std::string_view to_string(Codec c) {
  switch (c) {
    case Codec::None:
      return "none";
    case Codec::Zlib:
      return "zlib";
    case Codec::Zstd:
      return "zstd";
  }
  return "unknown";
}

std::optional<Codec> codec_from_string(std::string_view s) {
  for (Codec c : {Codec::None, Codec::Zlib, Codec::Zstd})
    if (to_string(c) == s) return c;
  return std::nullopt;
}

std::string_view to_string(Tier t) {
  switch (t) {
    case Tier::Full:
      return "full";
    case Tier::Minute:
      return "1m";
    case Tier::Hour:
      return "1h";
  }
  return "unknown";
}

std::optional<Tier> tier_from_string(std::string_view s) {
  for (Tier t : {Tier::Full, Tier::Minute, Tier::Hour})
    if (to_string(t) == s) return t;
  return std::nullopt;
}

int64_t tier_bucket_ns(Tier t) {
  switch (t) {
    case Tier::Full:
      return 0;
    case Tier::Minute:
      return 60'000'000'000LL;
    case Tier::Hour:
      return 3'600'000'000'000LL;
  }
  return 0;
}

std::string segment_name(Tier tier, int64_t time_ns) {
  std::time_t secs = static_cast<std::time_t>(time_ns / 1'000'000'000LL);
  if (time_ns < 0 && time_ns % 1'000'000'000LL) --secs;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}.{}.kpr", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     to_string(tier));
}

}  // namespace kpulse::record
