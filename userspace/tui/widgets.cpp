#include "tui/widgets.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "tui/format.h"

namespace kpulse::tui {

Style level_style(double ratio) {
  if (std::isnan(ratio) || ratio < 0.6) return Style::Good;
  return ratio < 0.9 ? Style::Warn : Style::Crit;
}

void append_meter(Line& line, double ratio, std::string_view text, int width, const Glyphs& g) {
  const int inner = std::max(0, width - 2);
  const int text_w = std::min(display_width(text), inner);
  const int bar_w = inner - text_w;
  double r = std::isnan(ratio) ? 0 : std::clamp(ratio, 0.0, 1.0);
  // Eighths of a cell when the glyph set has them, whole cells otherwise.
  const int steps = g.eighths.empty() ? 1 : 8;
  int units = int(std::lround(r * bar_w * steps));
  std::string bar;
  int cells = 0;
  for (; units >= steps && cells < bar_w; units -= steps, ++cells) bar += g.meter_full;
  if (units > 0 && cells < bar_w && steps > 1) {
    bar += g.eighths[size_t(units - 1)];
    ++cells;
  }
  line.add("[", Style::Normal);
  line.add(std::move(bar), level_style(r));
  line.add(std::string(size_t(bar_w - cells), ' ') + std::string(text.substr(0, size_t(text_w))),
           Style::Normal);
  line.add("]", Style::Normal);
}

std::string sparkline(std::span<const double> values, int width, const Glyphs& g) {
  if (width <= 0) return {};
  if (values.size() > size_t(width)) values = values.subspan(values.size() - size_t(width));
  double hi = 0;
  for (double v : values)
    if (!std::isnan(v)) hi = std::max(hi, v);
  const int levels = int(g.spark.size()) - 1;
  // Right-aligned: the newest value always sits at the right edge.
  std::string out(size_t(width) - values.size(), ' ');
  for (double v : values) {
    int lvl = 0;
    if (hi > 0 && !std::isnan(v) && v > 0) lvl = std::max(1, int(std::ceil(v / hi * levels)));
    out += g.spark[size_t(std::min(lvl, levels))];
  }
  return out;
}

std::string sparkline_fit(std::span<const double> values, int width, const Glyphs& g) {
  if (width <= 0 || values.empty()) return std::string(size_t(std::max(width, 0)), ' ');
  const size_t cells = std::min(values.size(), size_t(width));
  std::vector<double> bucket(cells, std::numeric_limits<double>::quiet_NaN());
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (std::isnan(v)) continue;
    double& b = bucket[i * cells / values.size()];
    b = std::isnan(b) ? v : std::max(b, v);
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : bucket)
    if (!std::isnan(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  const int levels = int(g.spark.size()) - 1;
  std::string out;
  for (double v : bucket) {
    int lvl = 0;
    if (!std::isnan(v))
      lvl = hi > lo ? 1 + int(std::lround((v - lo) / (hi - lo) * (levels - 1))) : (levels + 1) / 2;
    out += g.spark[size_t(std::clamp(lvl, 0, levels))];
  }
  out.append(size_t(width) - cells, ' ');
  return out;
}

std::string histogram_strip(const model::Log2Histogram& h, int first, int last, const Glyphs& g) {
  uint64_t hi = 0;
  for (int s = first; s <= last; ++s) hi = std::max(hi, h.slots[size_t(s)]);
  const int levels = int(g.spark.size()) - 1;
  std::string out;
  for (int s = first; s <= last; ++s) {
    uint64_t n = h.slots[size_t(s)];
    int lvl = hi && n ? std::max(1, int(std::ceil(double(n) / double(hi) * levels))) : 0;
    out += g.spark[size_t(lvl)];
  }
  return out;
}

std::string format_metric(model::MetricId id, double v) {
  return model::format(v, model::quantity_of(id), model::TextWidth::Compact);
}

}  // namespace kpulse::tui
