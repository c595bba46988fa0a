// A frame: what the screen shows, as lines of styled text spans, independent
// of ncurses so layout is testable and batch mode prints the same content.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tui/format.h"

namespace kpulse::tui {

// Semantic styles; the renderer maps them to colours or, in monochrome, to
// bold/reverse so every distinction survives without colour.
enum class Style : unsigned char {
  Normal,
  Dim,
  Title,         // view titles, header labels
  TableHeader,   // column header bar
  SortedHeader,  // the column the table is sorted by
  Selected,      // the cursor row
  Good,          // meters and values in their healthy range
  Warn,
  Crit,
  Key,  // key names in help and the status bar
};
inline constexpr int kStyleCount = 10;

struct Span {
  std::string text;  // UTF-8
  Style style = Style::Normal;
};

struct Line {
  std::vector<Span> spans;
  // Style for the rest of the line after the last span (e.g. a selected row
  // highlighted across the whole width).
  Style fill = Style::Normal;

  // Control characters in `text` are shown as '?' (printable()).
  Line& add(std::string text, Style style = Style::Normal) {
    spans.push_back({printable(std::move(text)), style});
    return *this;
  }
  [[nodiscard]] std::string text() const;  // spans concatenated, no styling
  [[nodiscard]] int width() const;         // display columns
};

struct Frame {
  int width = 0;
  int height = 0;  // 0: unbounded (batch mode)
  std::vector<Line> lines;

  [[nodiscard]] std::string text() const;  // lines joined with '\n', right-trimmed
};

// Glyph sets: Unicode blocks when the terminal's locale is UTF-8, else ASCII.
struct Glyphs {
  std::string_view ellipsis;
  std::string_view meter_full;            // one full meter cell
  std::vector<std::string_view> eighths;  // partial meter cells, 1/8 .. 7/8 (empty in ASCII)
  std::vector<std::string_view> spark;    // sparkline levels, lowest first
  std::string_view tree_mid, tree_last, tree_pipe, tree_blank;
};
const Glyphs& unicode_glyphs();
const Glyphs& ascii_glyphs();

}  // namespace kpulse::tui
