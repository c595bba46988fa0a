// Small drawing helpers shared by the frame builder's parts: meters,
// sparklines, histogram strips and metric values formatted by catalog unit.
#pragma once

#include <span>
#include <string>

#include "model/histogram.h"
#include "model/metric_catalog.h"
#include "tui/frame.h"

namespace kpulse::tui {

// Style for a utilisation-like ratio: Good below 60%, Warn below 90%, else Crit.
Style level_style(double ratio);
// "[|||||      42.0%]" in `width` columns (brackets included), appended to `line`.
void append_meter(Line& line, double ratio, std::string_view text, int width, const Glyphs& g);
// The last `width` values as a sparkline scaled to their maximum.
std::string sparkline(std::span<const double> values, int width, const Glyphs& g);
// All values squeezed into `width` cells (each the highest of its share), so
// a whole forecast horizon fits; shorter inputs are drawn one cell per value,
// left-aligned. Scaled from the lowest to the highest value: a forecast's
// shape matters more than its distance from zero.
std::string sparkline_fit(std::span<const double> values, int width, const Glyphs& g);
// Histogram slots [first, last] as one glyph each, scaled to the fullest slot.
std::string histogram_strip(const model::Log2Histogram& h, int first, int last, const Glyphs& g);
// A metric value in its catalog unit; counters are shown as per-second rates.
std::string format_metric(model::MetricId id, double value_or_rate);

}  // namespace kpulse::tui
