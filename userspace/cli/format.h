// Human-readable numbers for terminal output: the model's one formatter
// (model/format.h) in its compact width, as the TUI prints them.
#pragma once

#include <string>

namespace kpulse::cli {

std::string human_bytes(double bytes);                      // "1.5K", "3.2G" (powers of 1024)
std::string human_count(double n);                          // "950", "1.2k", "3.4M"
std::string human_duration_ns(double ns);                   // "850ns", "12us", "4.1ms", "2.0s"
std::string human_percent(double ratio);                    // 0.123 -> "12.3%"
std::string or_dash(double v, std::string (*fmt)(double));  // NaN -> "-"

}  // namespace kpulse::cli
