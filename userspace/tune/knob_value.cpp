// A knob's number: read out of a raw value, written back into one with the
// other fields kept, and moved in bounded steps.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "tune/knob.h"

namespace kpulse::tune {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string long_str(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(v)));
  return buf;
}

}  // namespace

std::vector<std::string> value_fields(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

double numeric_value(KnobKind k, const std::string& raw) {
  auto f = value_fields(raw);
  if (f.empty()) return std::nan("");
  try {
    switch (k) {
      case KnobKind::TcpRmemMax:
      case KnobKind::TcpWmemMax:
        return f.size() == 3 ? std::stod(f[2]) : std::nan("");
      case KnobKind::CpuMax:
        return f[0] == "max" ? kInf : std::stod(f[0]);
      case KnobKind::CfsQuota:
        return f[0] == "-1" ? kInf : std::stod(f[0]);
      case KnobKind::MemoryHigh:
      case KnobKind::MemoryLimit:
        return f[0] == "max" ? kInf : std::stod(f[0]);
      case KnobKind::Scheduler:
        return std::nan("");
      default:
        return std::stod(f[0]);
    }
  } catch (const std::exception&) {
    return std::nan("");
  }
}

std::string compose_value(KnobKind k, const std::string& current, double value, double lo,
                          double hi) {
  const KnobSpec& s = spec(k);
  if (k == KnobKind::Scheduler) throw std::invalid_argument("block.scheduler is not numeric");
  lo = std::max(lo, s.lo);
  hi = std::min(hi, s.hi);
  if (!(lo <= hi)) throw std::invalid_argument(std::string(s.id) + ": empty bounds");
  double v = std::clamp(value, lo, hi);
  auto f = value_fields(current);
  switch (k) {
    case KnobKind::TcpRmemMax:
    case KnobKind::TcpWmemMax: {
      if (f.size() != 3) throw std::invalid_argument("unexpected tcp_[rw]mem value: " + current);
      // The default may not exceed the max: lower it with the max if needed.
      double def = std::min(std::stod(f[1]), v);
      double mn = std::min(std::stod(f[0]), def);
      return long_str(mn) + " " + long_str(def) + " " + long_str(v);
    }
    case KnobKind::CpuMax: {
      std::string period = f.size() >= 2 ? f[1] : "100000";
      return long_str(v) + " " + period;
    }
    case KnobKind::MemoryHigh:
    case KnobKind::MemoryLimit: {
      // The kernel keeps memory limits in whole pages and reads back the
      // rounded value: a limit written off a page boundary would read back
      // as someone else's change, and kpulse would let go of its own step.
      const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
      double pages = std::floor(v / page) * page;
      return long_str(pages >= lo ? pages : std::ceil(lo / page) * page);
    }
    case KnobKind::ReadAheadKb: {
      // Kept in pages as well (read back as pages x 4 KiB).
      const double page_kb = static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1024;
      return long_str(std::max(lo, std::floor(v / page_kb) * page_kb));
    }
    default:
      return long_str(v);
  }
}

double max_step(KnobKind kind, double current) {
  const double cur = std::max(current, 0.0);
  switch (kind) {
    case KnobKind::MemoryHigh:
    case KnobKind::MemoryLimit:
      // At most double, at most 1 GiB: a limit grows in judged steps.
      return std::min(std::max(cur, 16 * kMiB), 1024 * kMiB);
    case KnobKind::CpuMax:
    case KnobKind::CfsQuota:
      // At most double, or half a CPU at the default 100 ms period.
      return std::max(cur, 50000.0);
    case KnobKind::CpuWeight:
      return std::max(cur, 10.0);  // a share at most doubles per step
    case KnobKind::CpuShares:
      return std::max(cur, 102.0);
    default:
      return std::numeric_limits<double>::infinity();
  }
}

double step_toward(double current, double bound, double fraction, double min_step,
                   const KnobSpec& s) {
  bound = std::clamp(bound, s.lo, s.hi);
  double dist = bound - current;
  if (dist == 0) return current;
  double step = std::max(std::abs(dist) * fraction, min_step);
  step = std::min({step, std::abs(dist), max_step(s.kind, current)});
  double next = current + (dist > 0 ? step : -step);
  return std::clamp(next, s.lo, s.hi);
}

}  // namespace kpulse::tune
