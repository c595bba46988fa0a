// Alerts: the lifecycle of a bottleneck as an operator sees it, with
// hysteresis so a signal hovering at its limit neither flaps nor spams.
//
//   (new anomalous or sustained bottleneck) -> pending -> firing -> resolved
//
// Two paths open an alert. The baseline path: the detector finds the
// bottleneck anomalous (unusual for the component); it fires once it has held
// over its limit for `fire_after` consecutive intervals, the ones before it
// was found unusual included (or at once when the evidence is overwhelming).
// The limit path: a saturation signal has stayed over its absolute limit for
// BottleneckConfig::limit_after intervals (the detector already counted them),
// so it fires at once; this is what catches saturation that was there before
// kpulse started or since the component was born. An alert resolves after
// `resolve_after` intervals without its bottleneck. A pending alert whose
// bottleneck vanishes is dropped silently.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analytics/bottleneck.h"

namespace kpulse::analytics {

enum class AlertState { Pending, Firing, Resolved };
std::string_view to_string(AlertState s);

// Why an alert is open: its signal is unusual for the component (baseline),
// or it is over its absolute limit whatever the component usually reads
// (limit: chronic or from-birth saturation).
enum class AlertBasis { Baseline, Limit };
std::string_view to_string(AlertBasis b);

struct Alert {
  std::string id;  // the bottleneck id: stable for the same rule on the same component
  AlertState state = AlertState::Pending;
  // Limit until the baseline path also finds it unusual: then Baseline, and
  // the alert is reported again as a change (an escalation of a chronic one).
  AlertBasis basis = AlertBasis::Baseline;
  std::string rule;
  Resource resource = Resource::Cpu;
  std::string component;                     // the saturated component (key)
  std::string cause;                         // the top consumer ("" if unknown)
  std::vector<std::string> cause_processes;  // its busiest processes, "comm [pid]"
  std::vector<std::string> victims;
  Severity severity = Severity::Warning;  // the worst seen while active
  std::string summary;                    // one line for humans
  std::vector<Evidence> evidence;         // latest while active; at the peak once resolved
  int64_t start_ns = 0;                   // first interval the alert was opened
  int64_t firing_ns = 0;                  // 0 until it fired
  int64_t resolved_ns = 0;                // 0 until resolved
  double peak_saturation = 0;
};

struct AlertConfig {
  int fire_after = 2;  // consecutive intervals before pending turns firing
  // Fire on the first interval when the anomaly score and the saturation are
  // both at least this high: a hog pinning a CPU should not wait a period.
  double fire_now_score = 0.5;
  double fire_now_saturation = 2.0;
  int resolve_after = 5;    // consecutive clear intervals before resolving
  int keep_resolved = 100;  // resolved alerts remembered for display
};

class AlertManager {
 public:
  explicit AlertManager(AlertConfig config = {});
  // Advances every alert by one interval. Returns the alerts that changed
  // state in it (new pending, fired, resolved), in a stable order.
  std::vector<Alert> update(int64_t time_ns, const std::vector<Bottleneck>& bottlenecks);
  // Pending and firing alerts, firing first, then by start time.
  [[nodiscard]] std::vector<Alert> active() const;
  // Resolved alerts, most recent last.
  [[nodiscard]] const std::vector<Alert>& resolved() const { return resolved_; }

 private:
  struct Entry {
    Alert alert;
    int hits = 0;
    int misses = 0;
  };
  AlertConfig cfg_;
  std::map<std::string, Entry> live_;
  std::vector<Alert> resolved_;
};

// "cpu-saturation on cgroup:/a (runq_latency_p99 45 ms vs baseline 2 ms, limit 20 ms);
//  top consumer cc1plus [12088], make [12001] in / (62% of the host's CPU use)"
std::string summarize(const Bottleneck& b);
// The cause part of the summary ("" without a cause).
std::string describe_cause(const Bottleneck& b);

}  // namespace kpulse::analytics
