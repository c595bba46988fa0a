#include "tui/frame.h"

#include "tui/format.h"

namespace kpulse::tui {

std::string Line::text() const {
  std::string out;
  for (const auto& s : spans) out += s.text;
  return out;
}

int Line::width() const {
  int w = 0;
  for (const auto& s : spans) w += display_width(s.text);
  return w;
}

std::string Frame::text() const {
  std::string out;
  for (const auto& l : lines) {
    std::string t = l.text();
    while (!t.empty() && t.back() == ' ') t.pop_back();
    out += t;
    out += '\n';
  }
  return out;
}

const Glyphs& unicode_glyphs() {
  static const Glyphs g{"…",
                        "█",
                        {"▏", "▎", "▍", "▌", "▋", "▊", "▉"},
                        {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"},
                        "├─",
                        "└─",
                        "│ ",
                        "  "};
  return g;
}

const Glyphs& ascii_glyphs() {
  static const Glyphs g{"~",  "|",  {},   {" ", ".", "_", "-", "=", "+", "*", "#"},
                        "|-", "`-", "| ", "  "};
  return g;
}

}  // namespace kpulse::tui
