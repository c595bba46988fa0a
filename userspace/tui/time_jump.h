// Where replay's go-to (T) and jump ({ }) keys land: the typed text resolved
// against the time on screen, so "-10m" means ten minutes before what is
// shown, not before now.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace kpulse::tui {

// Parses the absolute and "-N{s,m,h,d}" forms relative to `now_ns` (the
// command line's parser, cli::parse_time_arg); throws std::invalid_argument.
using TimeParser = std::function<int64_t(const std::string& text, int64_t now_ns)>;

// "+N{s,m,h,d}" and "-N{s,m,h,d}": offsets from `shown_ns`; "HH:MM[:SS]":
// that UTC time on the shown day; anything else goes to `parse`. nullopt,
// with `error` set, when the text is not a time.
std::optional<int64_t> resolve_goto(const std::string& text, int64_t shown_ns,
                                    const TimeParser& parse, std::string& error);

}  // namespace kpulse::tui
