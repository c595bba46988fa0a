#include "cli/format.h"

#include <cmath>

#include "model/format.h"

namespace kpulse::cli {

std::string human_bytes(double bytes) {
  return model::compact_bytes(bytes);
}

std::string human_count(double n) {
  return model::compact_count(n);
}

std::string human_duration_ns(double ns) {
  return model::compact_duration_ns(ns);
}

std::string human_percent(double ratio) {
  return model::compact_percent(ratio);
}

std::string or_dash(double v, std::string (*fmt)(double)) {
  return std::isnan(v) ? "-" : fmt(v);
}

}  // namespace kpulse::cli
