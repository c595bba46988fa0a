#include "analytics/alert.h"

#include <algorithm>

namespace kpulse::analytics {

std::string_view to_string(AlertState s) {
  switch (s) {
    case AlertState::Pending:
      return "pending";
    case AlertState::Firing:
      return "firing";
    case AlertState::Resolved:
      return "resolved";
  }
  return "?";
}

std::string_view to_string(AlertBasis b) {
  return b == AlertBasis::Limit ? "limit" : "baseline";
}

std::string summarize(const Bottleneck& b) {
  std::string s = b.rule + " on " + b.component;
  if (!b.evidence.empty()) {
    const auto& e = b.evidence.front();
    s += " (" + e.signal + " " + model::format(e.value, e.unit) + " vs baseline " +
         model::format(e.baseline, e.unit) + ", limit " + model::format(e.limit, e.unit) + ")";
  }
  if (!b.cause.empty()) s += "; " + describe_cause(b);
  return s;
}

std::string describe_cause(const Bottleneck& b) {
  if (b.cause.empty()) return "";
  std::string procs;
  for (const auto& p : b.cause_processes) procs += (procs.empty() ? "" : ", ") + p;
  const std::string cgroup = b.cause.rfind("cgroup:", 0) == 0 ? b.cause.substr(7) : "";
  std::string who;
  // Memory pressure a cgroup causes itself is its limit's (the cause is
  // only named so at its limit): a share of the host's memory says nothing.
  const bool own_limit =
      b.cause == b.component &&
      (b.rule == "cpu-throttled" || b.rule == "oom-kill" || b.resource == Resource::Memory);
  if (own_limit && b.resource == Resource::Memory)
    who = "its own memory limit";
  else if (b.cause == b.component)
    who = procs.empty() ? "its own demand" : "its own processes " + procs;
  else if (!procs.empty() && !cgroup.empty())
    who = "top consumer " + procs + " in " + cgroup;
  else
    who = "top consumer " + b.cause;
  if (own_limit) return who;
  static constexpr const char* kUse[] = {"CPU use", "memory use", "I/O", "retransmits"};
  // A disk's cause is measured against the device's own traffic.
  const std::string whose =
      b.component.rfind("disk:", 0) == 0 ? b.component.substr(5) + "'s " : "the host's ";
  return who + " (" + model::format(b.cause_share, model::Unit::Ratio) + " of " + whose +
         kUse[int(b.resource)] + ")";
}

AlertManager::AlertManager(AlertConfig config) : cfg_(config) {}

std::vector<Alert> AlertManager::update(int64_t time_ns,
                                        const std::vector<Bottleneck>& bottlenecks) {
  std::vector<Alert> changed;
  std::map<std::string, const Bottleneck*> seen;
  for (const auto& b : bottlenecks) seen.emplace(b.id, &b);

  for (const auto& [id, b] : seen) {
    auto it = live_.find(id);
    if (it == live_.end()) {
      if (!b->anomalous && !b->sustained) continue;  // one interval over its limit, as usual
      Entry e;
      e.alert.id = id;
      e.alert.start_ns = time_ns;
      e.alert.basis = b->anomalous ? AlertBasis::Baseline : AlertBasis::Limit;
      it = live_.emplace(id, std::move(e)).first;
    }
    Entry& e = it->second;
    Alert& a = e.alert;
    const bool escalated = a.basis == AlertBasis::Limit && b->anomalous;
    if (b->anomalous) a.basis = AlertBasis::Baseline;
    ++e.hits;
    e.misses = 0;
    a.rule = b->rule;
    a.resource = b->resource;
    a.component = b->component;
    a.cause = b->cause;
    a.cause_processes = b->cause_processes;
    a.victims = b->victims;
    a.evidence = b->evidence;
    a.summary = summarize(*b);
    a.severity = std::max(a.severity, b->severity);
    a.peak_saturation = std::max(a.peak_saturation, b->saturation);
    bool strong = b->score >= cfg_.fire_now_score && b->saturation >= cfg_.fire_now_saturation;
    if (a.state == AlertState::Firing && escalated) {
      changed.push_back(a);
    } else if (a.state == AlertState::Pending) {
      // Held: the interval before the alert opened was over the limit too,
      // just not unusual yet (an onset late in it, or a jump too small for
      // the jump rule while the detector ranked it low: a 10% packet loss
      // read 7 retransmits/s, then 594/s scored 0.20, and fired a third
      // interval after its onset).
      if (e.hits >= cfg_.fire_after || b->held >= cfg_.fire_after || strong || b->sustained) {
        a.state = AlertState::Firing;
        a.firing_ns = time_ns;
        changed.push_back(a);
      } else if (e.hits == 1) {
        changed.push_back(a);
      }
    }
  }

  for (auto it = live_.begin(); it != live_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    Entry& e = it->second;
    if (e.alert.state == AlertState::Pending) {
      it = live_.erase(it);  // a blip, never fired
      continue;
    }
    if (++e.misses >= cfg_.resolve_after) {
      e.alert.state = AlertState::Resolved;
      e.alert.resolved_ns = time_ns;
      changed.push_back(e.alert);
      resolved_.push_back(std::move(e.alert));
      if (resolved_.size() > size_t(cfg_.keep_resolved)) resolved_.erase(resolved_.begin());
      it = live_.erase(it);
      continue;
    }
    ++it;
  }
  return changed;
}

std::vector<Alert> AlertManager::active() const {
  std::vector<Alert> out;
  for (const auto& [id, e] : live_) out.push_back(e.alert);
  std::stable_sort(out.begin(), out.end(), [](const Alert& x, const Alert& y) {
    if (x.state != y.state) return x.state == AlertState::Firing;
    return x.start_ns < y.start_ns;
  });
  return out;
}

}  // namespace kpulse::analytics
