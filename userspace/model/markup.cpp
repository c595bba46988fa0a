#include "model/markup.h"

namespace kpulse::model {
namespace {

// Bytes of the control character at text[i], 0 when there is none: C0 and
// DEL, or a C1 control in UTF-8 (U+0080..U+009F, bytes C2 80..C2 9F), which
// some terminals also obey.
size_t control_length(std::string_view text, size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x20 || c == 0x7F) return 1;
  if (c != 0xC2 || i + 1 >= text.size()) return 0;
  const auto next = static_cast<unsigned char>(text[i + 1]);
  return next >= 0x80 && next <= 0x9F ? 2 : 0;
}

}  // namespace

std::string escape_markup(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string printable(std::string text) {
  for (size_t i = 0; i < text.size(); ++i)
    if (const size_t n = control_length(text, i)) text.replace(i, n, "?");
  return text;
}

}  // namespace kpulse::model
