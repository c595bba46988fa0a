// Times given on the command line (--from, --to, --at).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kpulse::report {

// Accepts Unix seconds ("1764000000"), ISO 8601 UTC ("2026-11-24T12:00:00Z",
// the "Z" and seconds optional, ' ' instead of 'T' allowed) and offsets back
// from `now_ns` ("-30m", "-2h", "-1d", "-90s"). nullopt when unparseable.
std::optional<int64_t> parse_time_arg(const std::string& text, int64_t now_ns);

}  // namespace kpulse::report
