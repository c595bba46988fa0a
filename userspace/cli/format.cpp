#include "cli/format.h"

#include <cmath>
#include <cstdio>

namespace kpulse::cli {
namespace {

std::string scaled(double v, double base, const char* const* suffixes, int n) {
  int i = 0;
  double a = std::fabs(v);
  while (a >= base && i < n - 1) {
    a /= base;
    v /= base;
    ++i;
  }
  char buf[32];
  if (i == 0)
    std::snprintf(buf, sizeof buf, "%.0f%s", v, suffixes[0]);
  else
    std::snprintf(buf, sizeof buf, a < 10 ? "%.1f%s" : "%.0f%s", v, suffixes[i]);
  return buf;
}

}  // namespace

std::string human_bytes(double bytes) {
  static const char* const kSuffix[] = {"B", "K", "M", "G", "T", "P"};
  return scaled(bytes, 1024, kSuffix, 6);
}

std::string human_count(double n) {
  static const char* const kSuffix[] = {"", "k", "M", "G", "T"};
  return scaled(n, 1000, kSuffix, 5);
}

std::string human_duration_ns(double ns) {
  char buf[32];
  if (ns < 1e3)
    std::snprintf(buf, sizeof buf, "%.0fns", ns);
  else if (ns < 1e6)
    std::snprintf(buf, sizeof buf, "%.1fus", ns / 1e3);
  else if (ns < 1e9)
    std::snprintf(buf, sizeof buf, "%.1fms", ns / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.2fs", ns / 1e9);
  return buf;
}

std::string human_percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", ratio * 100);
  return buf;
}

std::string or_dash(double v, std::string (*fmt)(double)) {
  return std::isnan(v) ? "-" : fmt(v);
}

}  // namespace kpulse::cli
