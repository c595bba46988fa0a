#include "model/format.h"

#include <cmath>
#include <cstdio>

namespace kpulse::model {
namespace {

// One decimal below 10 so a 6-column cell keeps two significant digits.
std::string compact_scaled(double v, double base, const char* const* units, int n_units) {
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

// Three significant digits without an exponent: "1.5", "15.3", "153", "1234".
std::string plain_number(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, std::fabs(v) >= 100 ? "%.0f" : "%.3g", v);
  return buf;
}

std::string full_bytes(double v) {
  static const char* const kNames[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  size_t i = 0;
  double x = v;
  while (std::fabs(x) >= 1024 && i + 1 < std::size(kNames)) x /= 1024, ++i;
  return plain_number(x) + " " + kNames[i];
}

std::string full_seconds(double v) {
  char buf[48];
  const double a = std::fabs(v);
  if (a > 0 && a < 1e-3)
    std::snprintf(buf, sizeof buf, "%.0f us", v * 1e6);
  else if (a < 1)
    std::snprintf(buf, sizeof buf, "%.1f ms", v * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.2f s", v);
  return buf;
}

std::string full_percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%", ratio * 100);
  return buf;
}

std::string by_unit(double v, Unit u, TextWidth width) {
  const bool narrow = width == TextWidth::Compact;
  switch (u) {
    case Unit::Seconds:
      return narrow ? compact_duration_ns(v * 1e9) : full_seconds(v);
    case Unit::Bytes:
      return narrow ? compact_bytes(v) : full_bytes(v);
    case Unit::Count:
      break;
    case Unit::Ratio:
      return narrow ? compact_percent(v) : full_percent(v);
  }
  return narrow ? compact_count(v) : plain_number(v);
}

}  // namespace

Quantity quantity_of(MetricId id) {
  const MetricInfo& m = info(id);
  return {m.unit, m.type == MetricType::Counter};
}

std::string format(double v, Quantity q, TextWidth width) {
  if (!std::isfinite(v)) return "-";
  std::string s = by_unit(v, q.unit, width);
  if (q.per_second) s += "/s";
  return s;
}

std::string unit_label(Quantity q) {
  std::string s;
  switch (q.unit) {
    case Unit::Seconds:
      s = "s";
      break;
    case Unit::Bytes:
      s = "bytes";
      break;
    case Unit::Ratio:
      s = "ratio";
      break;
    case Unit::Count:
      break;
  }
  if (q.per_second) s += "/s";
  return s;
}

std::string compact_bytes(double bytes) {
  static const char* const kUnits[] = {"", "K", "M", "G", "T", "P"};
  return compact_scaled(bytes, 1024, kUnits, 6);
}

std::string compact_count(double n) {
  static const char* const kUnits[] = {"", "k", "M", "G", "T"};
  if (!std::isnan(n) && std::fabs(n) < 10 && n != std::floor(n)) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", n);
    return buf;
  }
  return compact_scaled(n, 1000, kUnits, 5);
}

std::string whole_number(double v) {
  return std::isfinite(v) ? std::to_string(std::llround(v)) : "-";
}

std::string compact_duration_ns(double ns) {
  if (std::isnan(ns)) return "-";
  if (ns < 0) ns = 0;
  char buf[32];
  auto three_sig = [&](double v, const char* unit) {
    std::snprintf(buf, sizeof buf, v < 9.95 ? "%.1f%s" : "%.0f%s", v, unit);
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

std::string compact_percent(double ratio) {
  if (std::isnan(ratio)) return "-";
  char buf[32];
  const double p = ratio * 100;
  std::snprintf(buf, sizeof buf, std::fabs(p) < 99.95 ? "%.1f%%" : "%.0f%%", p);
  return buf;
}

}  // namespace kpulse::model
