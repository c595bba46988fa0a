#include "tune/predictive.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

PredictiveScaler::PredictiveScaler(Journal& journal, PredictiveOptions options, LogFn log)
    : journal_(journal), opt_(std::move(options)), log_(std::move(log)) {}

void PredictiveScaler::step(const model::Snapshot& s) {
  if (opt_.scope.empty() || s.interval_s <= 0) return;
  for (const auto& c : s.components) {
    if (c.kind != ComponentKind::Cgroup || c.id.find(opt_.scope) == std::string::npos) continue;
    if (opt_.cpu) {
      double used = c.delta(MetricId::CgCpuUsage) / s.interval_s;
      double quota = c.value(MetricId::CgCpuQuota);  // CPUs; absent when unlimited
      if (!std::isnan(used) && std::isfinite(quota)) observe(s, c, Resource::Cpu, used, quota);
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

void PredictiveScaler::observe(const model::Snapshot& s, const model::Component& c, Resource r,
                               double value, double limit) {
  State& st = states_[{c.id, r}];
  st.values.push_back(value);
  ++st.index;
  if (st.values.size() > opt_.history) st.values.pop_front();
  if (st.boosted) {
    // A burst that started late or runs long keeps the raise until it ends;
    // memory that stays high (page cache) is lowered a period later anyway,
    // or the raise would never end.
    if (st.index >= st.restore_at && value < st.threshold)
      restore(st, "peak over");
    else if (r == Resource::Memory && st.index >= st.give_up_at)
      restore(st, "predicted peak over (memory still above the peak level)");
    return;
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
  st.threshold = p->threshold;
  if (raise(s, c, r, st, *p, onset))
    log_(fmt::format(
        "tune: {} predictive: period {} samples (autocorrelation {:.2f}), next peak in {} "
        "samples, lasting ~{}",
        st.change.id, p->period, p->acf, p->onset, p->length));
}

bool PredictiveScaler::cpu_target(const std::string& cgroup, Change& c) const {
  auto q = read_cpu_quota(cgroup, opt_.cgroup_root);
  if (!q) return false;
  const double quota = q->quota, period = q->period;
  double cpus = opt_.ceiling_cpus > 0 ? opt_.ceiling_cpus
                                      : static_cast<double>(::sysconf(_SC_NPROCESSORS_ONLN));
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
                             State& st, const PredictedPeak& p, long onset) {
  Change c;
  if (!(r == Resource::Cpu ? cpu_target(comp.id, c) : memory_target(s, comp, c))) return false;
  c.id = journal_.new_id();
  c.state = ChangeState::OnTrial;
  c.time_ns = now_ns();
  c.why = fmt::format("periodic peaks (every {} samples) predicted at sample {} for ~{} samples",
                      p.period, onset, p.length);
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
  c.time_ns = now_ns();
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
