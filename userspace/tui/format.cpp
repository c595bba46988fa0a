#include "tui/format.h"

#include <cmath>
#include <cstdio>
#include <cwchar>
#include <utility>
#include <vector>

namespace kpulse::tui {
namespace {

// One decimal below 10 so a 6-column cell keeps two significant digits.
std::string scaled(double v, double base, const char* const* units, int n_units) {
  if (std::isnan(v)) return "-";
  const bool neg = v < 0;
  double a = std::fabs(v);
  int u = 0;
  // Round first so 1023.7 prints as "1.0K", not "1024".
  while (u + 1 < n_units && std::round(a * (a < 10 ? 10 : 1)) / (a < 10 ? 10 : 1) >= base) {
    a /= base;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%s%.0f%s", neg ? "-" : "", a, units[0]);
  else if (a < 9.95)
    std::snprintf(buf, sizeof buf, "%s%.1f%s", neg ? "-" : "", a, units[u]);
  else
    std::snprintf(buf, sizeof buf, "%s%.0f%s", neg ? "-" : "", a, units[u]);
  return buf;
}

// Decodes one UTF-8 sequence; returns its byte length and column width.
void next_glyph(std::string_view s, size_t i, size_t& len, int& width) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
  if (i + len > s.size()) len = 1;
  if (len == 1) {
    width = c < 0x80 ? 1 : 1;  // stray continuation bytes render as one replacement glyph
    return;
  }
  char32_t cp = c & (0xff >> (len + 1));
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  int w = ::wcwidth(static_cast<wchar_t>(cp));
  width = w < 0 ? 1 : w;
}

}  // namespace

std::string format_bytes(double bytes) {
  static const char* const kUnits[] = {"", "K", "M", "G", "T", "P"};
  return scaled(bytes, 1024, kUnits, 6);
}

std::string format_count(double n) {
  static const char* const kUnits[] = {"", "k", "M", "G", "T"};
  if (!std::isnan(n) && std::fabs(n) < 10 && n != std::floor(n)) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", n);
    return buf;
  }
  return scaled(n, 1000, kUnits, 5);
}

std::string format_duration_ns(double ns) {
  if (std::isnan(ns)) return "-";
  if (ns < 0) ns = 0;
  char buf[32];
  auto three_sig = [&](double v, const char* unit) {
    if (v < 9.95)
      std::snprintf(buf, sizeof buf, "%.1f%s", v, unit);
    else
      std::snprintf(buf, sizeof buf, "%.0f%s", v, unit);
  };
  if (ns < 999.5) {
    std::snprintf(buf, sizeof buf, "%.0fns", ns);
  } else if (ns < 999.5e3) {
    three_sig(ns / 1e3, "us");
  } else if (ns < 999.5e6) {
    three_sig(ns / 1e6, "ms");
  } else if (ns < 59.95e9) {
    three_sig(ns / 1e9, "s");
  } else {
    auto total_s = static_cast<long long>(std::llround(ns / 1e9));
    if (total_s < 3600)
      std::snprintf(buf, sizeof buf, "%lldm%02llds", total_s / 60, total_s % 60);
    else
      std::snprintf(buf, sizeof buf, "%lldh%02lldm", total_s / 3600, (total_s / 60) % 60);
  }
  return buf;
}

std::string format_percent(double ratio) {
  if (std::isnan(ratio)) return "-";
  char buf[32];
  double p = ratio * 100;
  if (std::fabs(p) < 99.95)
    std::snprintf(buf, sizeof buf, "%.1f%%", p);
  else
    std::snprintf(buf, sizeof buf, "%.0f%%", p);
  return buf;
}

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
