#include "tune/plans.h"

#include <algorithm>
#include <cmath>

namespace kpulse::tune {
namespace {

bool offers(const std::vector<std::string>& names, const std::string& n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

// A bounded step of `kind` from `current` up toward `max` (within the knob's
// hard limits); nothing once it is there.
std::optional<PlannedStep> raise_step(KnobKind kind, double current, double max, double min_step,
                                      const TunerOptions& o) {
  const KnobSpec& s = spec(kind);
  double ceiling = std::min(max, s.hi);
  if (!(current < ceiling)) return std::nullopt;
  double next = step_toward(current, ceiling, o.step_fraction, min_step, s);
  return PlannedStep{kind, compose_value(kind, "", next, 0, ceiling)};
}

}  // namespace

std::optional<double> plan_syn_backlog(double syn_backlog, double somaxconn, double overflows_per_s,
                                       double reqq_drops_per_s, const TunerOptions& o) {
  if (!std::isfinite(syn_backlog)) return std::nullopt;
  bool drops = reqq_drops_per_s > 0;
  bool below_cap = overflows_per_s > 0 && std::isfinite(somaxconn) && syn_backlog < somaxconn;
  if (!drops && !below_cap) return std::nullopt;
  double target = drops ? o.syn_backlog_max : std::min(somaxconn, o.syn_backlog_max);
  if (!(syn_backlog < target)) return std::nullopt;
  double next =
      step_toward(syn_backlog, target, o.step_fraction, 128, spec(KnobKind::TcpMaxSynBacklog));
  return next > syn_backlog ? std::optional<double>(next) : std::nullopt;
}

std::optional<double> plan_core_buffer(KnobKind core, double core_max, double tcp_max,
                                       const TunerOptions& o) {
  if (!std::isfinite(core_max) || !std::isfinite(tcp_max)) return std::nullopt;
  double target = std::min(tcp_max, o.tcp_buffer_max);
  if (!(core_max < target)) return std::nullopt;
  double next = step_toward(core_max, target, o.step_fraction, 256 * 1024, spec(core));
  return next > core_max ? std::optional<double>(next) : std::nullopt;
}

std::string contending_sibling(const std::string& victim, const std::string& hog) {
  auto parts = [](const std::string& path) {
    std::vector<std::string> out;
    size_t start = 1;
    while (start < path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string::npos) slash = path.size();
      if (slash > start) out.push_back(path.substr(start, slash - start));
      start = slash + 1;
    }
    return out;
  };
  auto v = parts(victim), h = parts(hog);
  size_t common = 0;
  while (common < v.size() && common < h.size() && v[common] == h[common]) ++common;
  if (common == v.size() || common == h.size()) return "";
  std::string out;
  for (size_t i = 0; i <= common; ++i) out += "/" + v[i];
  return out;
}

double cpu_weight_ceiling(KnobKind kind, const TunerOptions& o) {
  const KnobSpec& s = spec(kind);
  double v = kind == KnobKind::CpuShares ? o.cpu_weight_max * 1024 / 100 : o.cpu_weight_max;
  return std::clamp(v, s.lo, s.hi);
}

std::optional<PlannedStep> plan_block_queue(const QueueState& q, const TunerOptions& o) {
  if (!(q.nr_requests > 0) || q.depth < 0.7 * q.nr_requests || q.utilization < 0.5)
    return std::nullopt;
  if (q.scheduler == "none") {
    if (q.rotational && offers(q.available, "mq-deadline"))
      return PlannedStep{KnobKind::Scheduler, "mq-deadline"};
    return std::nullopt;  // the hardware depth is the limit: nothing to raise
  }
  if (!q.rotational) {
    if (offers(q.available, "none")) return PlannedStep{KnobKind::Scheduler, "none"};
    return std::nullopt;
  }
  return raise_step(KnobKind::NrRequests, q.nr_requests, o.nr_requests_max, 16, o);
}

std::optional<PlannedStep> plan_writeback(const WritebackState& w, const TunerOptions& o) {
  if (!o.writeback || !(w.available_bytes > 0)) return std::nullopt;
  // A ratio reading 0 means the limits are set in bytes (vm.dirty_bytes,
  // dirty_background_bytes): writing a ratio would silently replace them.
  if (!(w.dirty_ratio > 0) || !(w.background_ratio > 0)) return std::nullopt;
  double limit = w.dirty_ratio / 100 * w.available_bytes;
  if (w.dirty_bytes + w.writeback_bytes < 0.5 * limit || w.io_stall < 0.10) return std::nullopt;
  const KnobSpec& bg = spec(KnobKind::DirtyBackgroundRatio);
  double floor = std::max(o.dirty_background_min, bg.lo);
  if (w.background_ratio > floor) {
    double next = step_toward(w.background_ratio, floor, o.step_fraction, 1, bg);
    // Never at or above dirty_ratio: the kernel would then halve it on its own.
    next = std::min(next, w.dirty_ratio - 1);
    if (next < w.background_ratio && next >= floor)
      return PlannedStep{KnobKind::DirtyBackgroundRatio,
                         compose_value(KnobKind::DirtyBackgroundRatio, "", next, floor, bg.hi)};
  }
  return raise_step(KnobKind::DirtyRatio, w.dirty_ratio, o.dirty_ratio_max, 1, o);
}

}  // namespace kpulse::tune
