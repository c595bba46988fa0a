#include "tune/predictive.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "tune/periodicity.h"

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

PredictiveCpuScaler::PredictiveCpuScaler(Journal& journal, PredictiveOptions options, LogFn log)
    : journal_(journal), opt_(std::move(options)), log_(std::move(log)) {}

void PredictiveCpuScaler::step(const model::Snapshot& s) {
  if (opt_.scope.empty() || s.interval_s <= 0) return;
  for (const auto& c : s.components) {
    if (c.kind != ComponentKind::Cgroup || c.id.find(opt_.scope) == std::string::npos) continue;
    double used = c.delta(MetricId::CgCpuUsage) / s.interval_s;
    if (std::isnan(used) || std::isnan(c.value(MetricId::CgCpuQuota))) continue;
    State& st = cgroups_[c.id];
    st.usage.push_back(used);
    ++st.index;
    if (st.usage.size() > opt_.history) st.usage.pop_front();
    if (st.boosted) {
      // A burst that started late or runs long keeps the raise until it ends.
      if (st.index >= st.restore_at && used < st.threshold) restore(st, "burst over");
      continue;
    }
    std::vector<double> x(st.usage.begin(), st.usage.end());
    auto p = detect_period(x, opt_.min_period);
    if (!p) continue;
    // Index of the latest onset in sample numbers, then the next one ahead.
    long first = st.index - static_cast<long>(x.size()) + 1;
    long next = first + p->last_onset + p->period;
    while (next <= st.index) next += p->period;
    if (next - st.index <= opt_.lead) {
      st.restore_at = next + static_cast<long>(std::ceil(p->burst_len)) + 2;
      st.threshold = p->threshold;
      boost(c.id, st, next, p->burst_len);
      if (st.boosted)
        log_(
            fmt::format("tune: {} predictive: period {} samples (autocorrelation {:.2f}), next "
                        "burst in {} samples, lasting ~{:.0f}",
                        st.change.id, p->period, p->strength, next - st.index, p->burst_len));
    }
  }
}

void PredictiveCpuScaler::boost(const std::string& cgroup, State& st, long onset,
                                double burst_len) {
  Knob k{KnobKind::CpuMax, cgroup, 0};
  if (!std::filesystem::exists(knob_path(k, opt_.cgroup_root))) k.kind = KnobKind::CfsQuota;
  std::string cur, err;
  if (!read_knob(k, cur, err, opt_.cgroup_root)) return;
  double quota = numeric_value(k.kind, cur);
  if (!std::isfinite(quota)) return;
  double period = 100000;
  if (k.kind == KnobKind::CpuMax) {
    auto sp = cur.find(' ');
    if (sp != std::string::npos) period = std::atof(cur.c_str() + sp + 1);
  } else {
    std::ifstream f(std::filesystem::path(knob_path(k, opt_.cgroup_root))
                        .replace_filename("cpu.cfs_period_us"));
    if (!(f >> period)) period = 100000;
  }
  double cpus = opt_.ceiling_cpus > 0 ? opt_.ceiling_cpus
                                      : static_cast<double>(::sysconf(_SC_NPROCESSORS_ONLN));
  double target = cpus * period;
  if (target <= quota) return;
  Change c;
  c.id = journal_.new_id();
  c.knob = k;
  c.original = cur;
  c.written = compose_value(k.kind, cur, target, 0, target);
  c.state = ChangeState::OnTrial;
  c.time_ns = now_ns();
  c.scenario = "predicted_cpu_burst";
  c.why =
      fmt::format("periodic bursts predicted at sample {} for ~{:.0f} samples", onset, burst_len);
  journal_.append(c);
  if (!write_knob(k, c.written, err, false, opt_.cgroup_root)) {
    c.state = ChangeState::Reverted;
    c.why = "write failed: " + err;
    journal_.append(c);
    log_("tune: " + c.id + " " + k.key() + ": write failed: " + err);
    return;
  }
  log_(fmt::format("tune: {} raise scenario=predicted_cpu_burst knob={} {} -> {} why: {}", c.id,
                   k.key(), cur, c.written, c.why));
  st.change = c;
  st.boosted = true;
}

void PredictiveCpuScaler::restore(State& st, const std::string& why) {
  st.boosted = false;
  Change c = st.change;
  std::string cur, err;
  if (!read_knob(c.knob, cur, err, opt_.cgroup_root)) return;
  c.time_ns = now_ns();
  if (cur != c.written) {
    c.state = ChangeState::Released;
    c.why = "changed by someone else to \"" + cur + "\"";
    journal_.append(c);
    log_("tune: " + c.id + " " + c.knob.key() + ": " + c.why + "; not touching it");
    return;
  }
  if (!write_knob(c.knob, c.original, err, true, opt_.cgroup_root)) {
    log_("tune: " + c.id + " restore failed: " + err + " (on trial; reverted at next start)");
    return;
  }
  c.state = ChangeState::Reverted;
  c.why = why;
  journal_.append(c);
  log_(fmt::format("tune: {} lower knob={} {} -> {} why: {}", c.id, c.knob.key(), c.written,
                   c.original, why));
}

void PredictiveCpuScaler::stop() {
  for (auto& [id, st] : cgroups_)
    if (st.boosted) restore(st, "kpulse stopping");
}

}  // namespace kpulse::tune
