// Times on the command line (--from, --to, --at): Unix seconds ("1764000000",
// "1764000000.5"), UTC ISO 8601 ("2026-11-24T12:00:00Z", "2026-11-24 12:00",
// "2026-11-24"), or relative to now ("-2h", "-30m", "-7d", "-90s", "now").
#pragma once

#include <cstdint>
#include <string_view>

namespace kpulse::cli {

// Unix epoch nanoseconds; throws std::invalid_argument naming the input and
// the accepted forms.
int64_t parse_time_arg(std::string_view text, int64_t now_ns);

}  // namespace kpulse::cli
