#include "tui/format.h"

#include <cmath>
#include <cstdio>
#include <cwchar>
#include <utility>
#include <vector>

#include "model/markup.h"

namespace kpulse::tui {
namespace {

// Decodes one UTF-8 sequence; returns its byte length and column width.
void next_glyph(std::string_view s, size_t i, size_t& len, int& width) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
  if (i + len > s.size()) len = 1;
  if (len == 1) {
    width = 1;  // ASCII, or a stray continuation byte shown as one replacement glyph
    return;
  }
  char32_t cp = c & (0xff >> (len + 1));
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  int w = ::wcwidth(static_cast<wchar_t>(cp));
  width = w < 0 ? 1 : w;
}

}  // namespace

std::string format_uptime(double seconds) {
  if (std::isnan(seconds) || seconds < 0) return "-";
  auto s = static_cast<long long>(seconds);
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%llds", s);
  else if (s < 86400)
    std::snprintf(buf, sizeof buf, "%02lld:%02lld", s / 3600, (s / 60) % 60);
  else
    std::snprintf(buf, sizeof buf, "%lldd %02lld:%02lld", s / 86400, (s / 3600) % 24,
                  (s / 60) % 60);
  return buf;
}

// The model's, which the log and the text reports use too.
std::string printable(std::string text) {
  return model::printable(std::move(text));
}

int display_width(std::string_view s) {
  int w = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len;
    int gw;
    next_glyph(s, i, len, gw);
    w += gw;
    i += len;
  }
  return w;
}

std::string truncate(std::string_view s, int width, std::string_view ellipsis) {
  if (width <= 0) return {};
  if (display_width(s) <= width) return std::string(s);
  const int ell_w = display_width(ellipsis);
  const int budget = width - ell_w;
  if (budget < 0) return std::string(s.substr(0, static_cast<size_t>(width)));
  std::string out;
  int w = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len;
    int gw;
    next_glyph(s, i, len, gw);
    if (w + gw > budget) break;
    out.append(s.substr(i, len));
    w += gw;
    i += len;
  }
  out += ellipsis;
  return out;
}

std::string truncate_left(std::string_view s, int width, std::string_view ellipsis) {
  if (width <= 0) return {};
  if (display_width(s) <= width) return std::string(s);
  const int budget = width - display_width(ellipsis);
  if (budget < 0) return truncate(s, width, ellipsis);
  // Glyph start offsets, so the cut never splits a UTF-8 sequence.
  std::vector<std::pair<size_t, int>> glyphs;
  for (size_t i = 0; i < s.size();) {
    size_t len;
    int gw;
    next_glyph(s, i, len, gw);
    glyphs.push_back({i, gw});
    i += len;
  }
  int w = 0;
  size_t start = s.size();
  for (auto it = glyphs.rbegin(); it != glyphs.rend(); ++it) {
    if (w + it->second > budget) break;
    w += it->second;
    start = it->first;
  }
  return std::string(ellipsis) + std::string(s.substr(start));
}

std::string fit_left(std::string_view s, int width, std::string_view ellipsis) {
  std::string out = truncate(s, width, ellipsis);
  int w = display_width(out);
  if (w < width) out.append(static_cast<size_t>(width - w), ' ');
  return out;
}

std::string fit_right(std::string_view s, int width, std::string_view ellipsis) {
  std::string out = truncate(s, width, ellipsis);
  int w = display_width(out);
  if (w < width) out.insert(0, static_cast<size_t>(width - w), ' ');
  return out;
}

}  // namespace kpulse::tui
