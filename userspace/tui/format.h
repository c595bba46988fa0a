// Number and text formatting for the TUI: compact units that fit narrow
// columns, and display-width-aware truncation of UTF-8 text.
#pragma once

#include <string>
#include <string_view>

#include "model/format.h"

namespace kpulse::tui {

// Compact numbers for narrow columns: the model's one formatter
// (model/format.h), under the names the views use. NaN (metric absent) is "-".
// Bytes in binary units with at most one decimal: "512", "1.5K", "153K", "3.2M".
inline std::string format_bytes(double bytes) {
  return model::compact_bytes(bytes);
}
// Plain counts in decimal units: "950", "1.5k", "12k", "3.2M".
inline std::string format_count(double n) {
  return model::compact_count(n);
}
// A duration given in nanoseconds: "850ns", "1.2us", "12us", "3.4ms", "2.1s", "5m03s", "2h05m".
inline std::string format_duration_ns(double ns) {
  return model::compact_duration_ns(ns);
}
inline std::string format_duration_s(double s) {
  return format_duration_ns(s * 1e9);
}
// A ratio (1.0 = 100%) as percent: "0.0%", "42.5%", "250%".
inline std::string format_percent(double ratio) {
  return model::compact_percent(ratio);
}
// Time since boot: "45s", "12:03", "3d 04:12".
std::string format_uptime(double seconds);

// Text safe to send to a terminal: C0 and C1 control characters and DEL
// become '?', as ps shows them. Process names and command lines are any
// user's to choose; an escape sequence in one must not reach root's terminal,
// nor a newline break a table row.
std::string printable(std::string text);

// Terminal columns the UTF-8 text occupies (wide CJK glyphs count 2).
int display_width(std::string_view utf8);
// Cuts text to at most `width` columns, ending in `ellipsis` when cut.
std::string truncate(std::string_view utf8, int width, std::string_view ellipsis = "…");
// Cuts from the left, keeping the end ("…/app-7.scope"): a path's leaf is
// what tells rows apart.
std::string truncate_left(std::string_view utf8, int width, std::string_view ellipsis = "…");
// Truncates, then pads with spaces to exactly `width` columns.
std::string fit_left(std::string_view utf8, int width, std::string_view ellipsis = "…");
std::string fit_right(std::string_view utf8, int width, std::string_view ellipsis = "…");

}  // namespace kpulse::tui
