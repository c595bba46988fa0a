// One formatter for every reading a person sees: a value and what it
// measures (a catalog unit, maybe per second) become text. The TUI, the
// snapshot text, the report, the analytics' evidence and the tuner all print
// through it, so a ratio reads as a percentage and a duration with its unit
// everywhere.
#pragma once

#include <string>
#include <string_view>

#include "model/metric_catalog.h"

namespace kpulse::model {

// What a number measures: a catalog unit, either as stored or per second.
struct Quantity {
  Unit unit = Unit::Count;
  bool per_second = false;
  bool operator==(const Quantity&) const = default;
};
constexpr Quantity per_second(Unit u) {
  return {u, true};
}
// What a catalog metric reads as: a counter per second, a gauge as stored.
Quantity quantity_of(MetricId id);

enum class TextWidth {
  // Narrow columns: "1.5K", "12us", "42.5%", "3.2k/s"; NaN is "-".
  Compact,
  // Sentences and labels: "1.5 MiB", "12.0 ms", "93%", "3.2/s"; NaN is "-".
  Full,
};

std::string format(double v, Quantity q, TextWidth width = TextWidth::Full);
inline std::string format(double v, Unit u, TextWidth width = TextWidth::Full) {
  return format(v, Quantity{u}, width);
}

// A short stable label for machine-readable output (JSON "unit" fields):
// "s", "ratio", "bytes", "" (a count); a rate adds "/s" ("bytes/s", "/s").
std::string unit_label(Quantity q);

// The compact pieces the TUI names directly (same rules as format(..., Compact)).
std::string compact_bytes(double bytes);     // "512", "1.5K", "153K", "3.2M"
std::string compact_count(double n);         // "950", "1.5k", "2.5"
std::string compact_duration_ns(double ns);  // "850ns", "1.2us", "5m03s"
std::string compact_percent(double ratio);   // "0.0%", "42.5%", "250%"
// An identifier-like whole number (a backlog, an exit status) in all its
// digits: "4096", "-1"; NaN is "-".
std::string whole_number(double v);

}  // namespace kpulse::model
