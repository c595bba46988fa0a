#include "tune/predictive.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "model/clock.h"
#include "tune/cpu_diagnosis.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

}  // namespace

PredictiveScaler::PredictiveScaler(Journal& journal, PredictiveOptions options, LogFn log)
    : journal_(journal), opt_(std::move(options)), log_(std::move(log)) {}

namespace {

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return std::nan("");
  size_t k = static_cast<size_t>(q * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

constexpr int kQuietSamples = 2;      // baseline samples that end a burst
constexpr double kWaitMargin = 0.05;  // s/s of CPU wait above the quiet level still "quiet"

}  // namespace

void PredictiveScaler::step(const model::Snapshot& s) {
  if (opt_.scope.empty() || s.interval_s <= 0) return;
  for (const auto& c : s.components) {
    if (c.kind != ComponentKind::Cgroup || c.id.find(opt_.scope) == std::string::npos) continue;
    if (opt_.cpu) {
      double used = c.rate(MetricId::CgCpuUsage, s.interval_s);
      double quota = c.value(MetricId::CgCpuQuota);  // CPUs; absent when unlimited
      // Demand, not use: a throttled burst wanted its CPU and the time it was held back.
      double throttled = c.rate(MetricId::CgCpuThrottledTime, s.interval_s);
      double demand = used + (std::isfinite(throttled) ? throttled : 0);
      double share = throttled_share(c);
      bool clipped = share >= kQuotaThrottledShare || used >= 0.9 * quota;
      double wait = cpu_wait(s, c.id);
      if (!std::isnan(used) && std::isfinite(quota))
        observe(s, c, Resource::Cpu, demand, quota, std::isfinite(wait) ? wait : 0, clipped);
    }
    if (opt_.memory) {
      // v1 has no memory.high: its limit_in_bytes is the knob (and reads as
      // memory.max), as for the memory_high tuner.
      double limit = c.value(MetricId::CgMemHigh);
      if (std::isnan(limit)) limit = c.value(MetricId::CgMemMax);
      double current = c.value(MetricId::CgMemCurrent);
      if (!std::isnan(current) && std::isfinite(limit))
        observe(s, c, Resource::Memory, current, limit);
    }
  }
}

void PredictiveScaler::track_bursts(State& st, double value, double wait, bool clipped) {
  // The burst level from the history itself: midway between its quiet and
  // busy levels, once they differ. Short bursts are a few percent of the
  // samples at long periods, hence the 99th percentile for "busy".
  std::vector<double> x(st.values.begin(), st.values.end());
  double lo = quantile(x, 0.05), hi = quantile(x, 0.99);
  if (!(hi > 0) || hi - lo < 0.2 * hi) return;
  double level = (lo + hi) / 2;
  st.quiet_level = lo + 0.25 * (hi - lo);
  if (value <= st.quiet_level && !st.in_burst) st.quiet_wait = 0.8 * st.quiet_wait + 0.2 * wait;
  // A burst starts above the burst level and ends only back at the quiet
  // level: a dip mid-burst (a throttled period, a busy neighbour) does not
  // split it in two and scramble the onsets. A short burst that straddles
  // two samples (as one does once a raise lets it run in under a sample)
  // reaches the level only in their sum: it counts too, or a raise that
  // worked would read as "the burst did not come" and its onset be lost.
  const double prev = st.values.size() >= 2 ? st.values[st.values.size() - 2] : 0;
  const bool straddling = prev > st.quiet_level && prev + value >= level;
  if (!st.in_burst && (value >= level || straddling)) {
    st.in_burst = true;
    double onset = st.clock - st.interval * (straddling && value < level ? 2 : 1);
    st.current = Burst{onset, std::max(value, prev + value), 1, clipped};
  } else if (st.in_burst && value > st.quiet_level) {
    st.current.peak = std::max(st.current.peak, value);
    st.current.clipped = st.current.clipped || clipped;
    ++st.current.length;
  } else if (st.in_burst) {
    st.in_burst = false;
    st.bursts.push_back(st.current);
    ++st.bursts_seen;
    while (st.bursts.size() > 9) st.bursts.pop_front();
  }
  st.threshold = level;
}

std::optional<BurstPhase> PredictiveScaler::phase_from_bursts(const State& st) const {
  std::vector<double> onsets;
  for (const auto& b : st.bursts) onsets.push_back(b.onset);
  // The lead in samples is in seconds at the pace samples come in now.
  return next_burst(onsets, opt_.lead * st.interval, opt_.min_period * st.interval);
}

bool PredictiveScaler::hold_cpu_raise(State& st, double value, double wait) {
  if (st.in_burst) st.seen_burst = true;
  bool quiet = value <= st.quiet_level && wait <= st.quiet_wait + kWaitMargin;
  st.quiet_run = quiet ? st.quiet_run + 1 : 0;
  if (st.seen_burst && st.quiet_run >= kQuietSamples) {
    restore(st, fmt::format("burst over: demand {:.2f} CPUs and CPU wait {:.2f} s/s back to the "
                            "baseline ({:.2f} CPUs, {:.2f} s/s)",
                            value, wait, st.quiet_level, st.quiet_wait));
  } else if (!st.seen_burst && st.clock >= st.give_up_time) {
    restore(st, "the predicted burst did not come");
  }
  return st.boosted;
}

void PredictiveScaler::observe(const model::Snapshot& s, const model::Component& c, Resource r,
                               double value, double limit, double wait, bool clipped) {
  State& st = states_[{c.id, r}];
  st.values.push_back(value);
  ++st.index;
  st.interval = s.interval_s;
  st.clock += s.interval_s;
  if (st.values.size() > opt_.history) st.values.pop_front();
  if (r == Resource::Cpu) track_bursts(st, value, wait, clipped);
  if (st.boosted) {
    if (r == Resource::Cpu) {
      hold_cpu_raise(st, value, wait);
      return;
    }
    // Memory that stays high (page cache) is lowered a period later anyway,
    // or the raise would never end.
    if (st.index >= st.restore_at && value < st.threshold)
      restore(st, "peak over");
    else if (st.index >= st.give_up_at)
      restore(st, "predicted peak over (memory still above the peak level)");
    return;
  }
  // CPU with three bursts seen: their onsets say when the next one comes.
  if (r == Resource::Cpu) {
    if (auto phase = phase_from_bursts(st)) {
      // Once per burst: a burst that did not come waits for the next one
      // seen. One that began before the raise (earlier than its predecessors
      // ever did) is raised for at once: late beats not at all.
      if (st.bursts_seen == st.raised_for) return;
      bool early = st.in_burst;
      if (st.clock < phase->raise_at && !early) return;
      const Burst& last = st.bursts.back();
      st.give_up_time = phase->give_up_at;
      st.seen_burst = st.in_burst;
      st.quiet_run = 0;
      st.raised_for = st.bursts_seen;
      std::string why = fmt::format(
          "bursts every ~{:.1f} s (last {:.0f} s ago, peak {:.2f} CPUs{}), next expected in "
          "{:.1f} s, {:.1f} s early at the earliest (wander of {} gaps)",
          phase->period, st.clock - last.onset, last.peak,
          last.clipped ? " clipped by the quota" : "", phase->expected - st.clock, phase->margin,
          phase->gaps);
      if (early) why += "; this one began before the raise";
      if (raise(s, c, r, st, why))
        log_(fmt::format("tune: {} predictive: learned from {} past bursts", st.change.id,
                         st.bursts.size()));
      return;
    }
  }
  if (st.index < st.next_forecast) return;
  PeakForecastOptions po;
  po.min_period = opt_.min_period;
  po.lead = opt_.lead;
  po.step_seconds = std::max<int64_t>(1, std::llround(s.interval_s));
  std::vector<double> x(st.values.begin(), st.values.end());
  auto p = predict_peak(x, po);
  if (!p) return;
  // Forecasting again before the raise is due changes nothing: skip ahead.
  if (p->onset > opt_.lead) {
    st.next_forecast = st.index + p->onset - opt_.lead;
    return;
  }
  // A memory peak that stays well inside the limit needs no raise. CPU
  // bursts are raised for whatever their level: on a busy host a throttled
  // cgroup may not even reach its quota, yet its bursts still run long.
  if (r == Resource::Memory && p->peak < opt_.near_limit * limit) return;
  long onset = st.index + p->onset;
  st.restore_at = onset + p->length + 2;
  st.give_up_at = st.restore_at + p->period;
  st.give_up_time = st.clock + static_cast<double>(st.give_up_at - st.index) * st.interval;
  st.threshold = p->threshold;
  st.seen_burst = false;
  st.quiet_run = 0;
  if (raise(s, c, r, st,
            fmt::format("periodic peaks (every {} samples) predicted at sample {}", p->period,
                        onset)))
    log_(fmt::format(
        "tune: {} predictive: period {} samples (autocorrelation {:.2f}), next peak in {} "
        "samples",
        st.change.id, p->period, p->acf, p->onset));
}

bool PredictiveScaler::cpu_target(const std::string& cgroup, const State& st, Change& c) const {
  auto q = read_cpu_quota(cgroup, opt_.cgroup_root);
  if (!q) return false;
  const double quota = q->quota, period = q->period;
  double cpus = opt_.ceiling_cpus > 0 ? opt_.ceiling_cpus
                                      : static_cast<double>(::sysconf(_SC_NPROCESSORS_ONLN));
  // The burst's size from its past occurrences: twice the largest recent
  // demand, unless a limit clipped it (then only the ceiling is known).
  bool known = !st.bursts.empty();
  double learned = 0;
  for (const auto& b : st.bursts) {
    known = known && !b.clipped;
    learned = std::max(learned, b.peak);
  }
  if (known && learned > 0) cpus = std::min(cpus, std::max(2 * learned, quota / period));
  double target = cpus * period;
  if (target <= quota) return false;
  c.knob = q->knob;
  c.original = q->raw;
  c.written = compose_value(q->knob.kind, q->raw, target, 0, target);
  c.scenario = "predicted_cpu_burst";
  return true;
}

bool PredictiveScaler::memory_target(const model::Snapshot& s, const model::Component& comp,
                                     Change& c) const {
  Knob k{KnobKind::MemoryHigh, comp.id, 0};
  if (!std::filesystem::exists(knob_path(k, opt_.cgroup_root))) k.kind = KnobKind::MemoryLimit;
  std::string cur, err;
  if (!read_knob(k, cur, err, opt_.cgroup_root)) return false;
  double limit = numeric_value(k.kind, cur);
  if (!std::isfinite(limit)) return false;
  double ceiling = memory_high_ceiling(comp, s.host(), k.kind, opt_.tuner, std::nan(""));
  if (!std::isfinite(ceiling) || ceiling <= limit) return false;
  c.knob = k;
  c.original = cur;
  c.written = compose_value(k.kind, cur, ceiling, 0, ceiling);
  c.scenario = "predicted_memory_peak";
  return true;
}

bool PredictiveScaler::raise(const model::Snapshot& s, const model::Component& comp, Resource r,
                             State& st, const std::string& why) {
  Change c;
  if (!(r == Resource::Cpu ? cpu_target(comp.id, st, c) : memory_target(s, comp, c))) return false;
  c.id = journal_.new_id();
  c.state = ChangeState::OnTrial;
  c.time_ns = model::wall_clock_ns();
  c.why = why;
  journal_.append(c);
  std::string err;
  if (!write_knob(c.knob, c.written, err, false, opt_.cgroup_root)) {
    c.state = ChangeState::Reverted;
    c.why = "write failed: " + err;
    journal_.append(c);
    log_("tune: " + c.id + " " + c.knob.key() + ": write failed: " + err);
    return false;
  }
  log_(fmt::format("tune: {} raise scenario={} knob={} {} -> {} why: {}", c.id, c.scenario,
                   c.knob.key(), c.original, c.written, c.why));
  st.change = c;
  st.boosted = true;
  st.restore_failed = false;
  return true;
}

void PredictiveScaler::restore(State& st, const std::string& why) {
  Change c = st.change;
  std::string cur, err;
  if (!read_knob(c.knob, cur, err, opt_.cgroup_root)) {
    st.boosted = false;  // the cgroup is gone
    return;
  }
  c.time_ns = model::wall_clock_ns();
  if (cur != c.written) {
    st.boosted = false;
    c.state = ChangeState::Released;
    c.why = "changed by someone else to \"" + cur + "\"";
    journal_.append(c);
    log_("tune: " + c.id + " " + c.knob.key() + ": " + c.why + "; not touching it");
    return;
  }
  if (!write_knob(c.knob, c.original, err, true, opt_.cgroup_root)) {
    // v1 refuses a limit below what the cgroup holds (EBUSY) when it cannot
    // reclaim enough: keep trying on later samples, say so once.
    if (!st.restore_failed)
      log_("tune: " + c.id + " restore failed: " + err +
           " (retrying; on trial, so reverted at "
           "next start)");
    st.restore_failed = true;
    return;
  }
  st.boosted = false;
  c.state = ChangeState::Reverted;
  c.why = why;
  journal_.append(c);
  log_(fmt::format("tune: {} lower knob={} {} -> {} why: {}", c.id, c.knob.key(), c.written,
                   c.original, why));
}

void PredictiveScaler::stop() {
  for (auto& [key, st] : states_)
    if (st.boosted) restore(st, "kpulse stopping");
}

}  // namespace kpulse::tune
