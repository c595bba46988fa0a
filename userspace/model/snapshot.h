// The snapshot data model: what one collection interval saw on this host.
//
// Every consumer (analytics, TUI, exporters, recorder, tuner) reads this and
// nothing else. Metrics are identified by MetricId from the catalog
// (metrics.def); a component carries only the metrics it has values for.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "model/histogram.h"
#include "model/metric_catalog.h"

namespace kpulse::model {

// A counter or gauge value. Counters: `value` is cumulative (monotonic while
// the source lives) and `delta` the increase over this interval. Gauges:
// `value` is the reading and `delta` is 0.
struct Sample {
  MetricId id;
  double value = 0;
  double delta = 0;
  bool operator==(const Sample&) const = default;
};

// A counter split by one label (the catalog names the metric; e.g. net.drops
// by drop reason).
struct LabeledSample {
  MetricId id;
  std::string label;
  double value = 0;
  double delta = 0;
  bool operator==(const LabeledSample&) const = default;
};

struct HistogramSample {
  MetricId id;
  Log2Histogram total;  // cumulative
  Log2Histogram delta;  // this interval
  bool operator==(const HistogramSample&) const = default;
};

struct Component {
  ComponentKind kind = ComponentKind::Host;
  // Stable identity within its kind: "host", "cpu3", a cgroup path relative to
  // the cgroup root ("/system.slice/ssh.service"), a PID, a disk or interface
  // name, "kpulse" for the agent itself.
  std::string id;
  // Human label: process comm, cgroup leaf name, device name.
  std::string name;
  // Parent in the component tree: a cgroup's parent path, a process's cgroup
  // path; empty for top-level components.
  std::string parent;
  // Free-form detail: a process's command line, a disk's "major:minor", a
  // listener owner's pid.
  std::string detail;
  // Kernel identity: cgroup id (inode), PID, CPU index, ifindex, dev_t, a
  // listener's netns inode, an exited task's TGID.
  uint64_t kernel_id = 0;

  std::vector<Sample> samples;
  std::vector<LabeledSample> labeled;
  std::vector<HistogramSample> histograms;

  [[nodiscard]] const Sample* find(MetricId id) const;
  [[nodiscard]] const HistogramSample* find_histogram(MetricId id) const;
  // The sample's value, or NaN when absent.
  [[nodiscard]] double value(MetricId id) const;
  // Per-interval delta, or NaN when absent.
  [[nodiscard]] double delta(MetricId id) const;
  // A counter's per-second rate over an interval of `interval_s`, or NaN
  // when the counter is absent or the interval unknown. Every consumer reads
  // rates through this one definition.
  [[nodiscard]] double rate(MetricId id, double interval_s) const;
  // Quantile `q` of a histogram's interval delta in ns, or NaN when the
  // histogram is absent or empty this interval.
  [[nodiscard]] double interval_quantile_ns(MetricId id, double q) const;
  // What the metric reads as over the interval: a gauge its value, a
  // counter its per-second rate (reading_of below); NaN when absent.
  [[nodiscard]] double reading(MetricId id, double interval_s) const;

  void set_gauge(MetricId id, double v);
  void set_counter(MetricId id, double total, double delta);
  // Key "kind:id", unique within a snapshot.
  [[nodiscard]] std::string key() const;
  bool operator==(const Component&) const = default;
};

struct Snapshot {
  uint64_t seq = 0;       // 0, 1, 2, ... within one collector's life
  int64_t time_ns = 0;    // wall clock (Unix epoch) at the end of the interval
  double interval_s = 0;  // measured length of the interval
  std::string hostname;
  // Every component, listeners and exited tasks included (listeners_exits.h).
  std::vector<Component> components;

  [[nodiscard]] const Component* find(ComponentKind kind, std::string_view id) const;
  [[nodiscard]] const Component* host() const { return find(ComponentKind::Host, "host"); }
  bool operator==(const Snapshot&) const = default;
};

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A per-second rate: an increase over an interval of `interval_s` seconds,
// NaN when the interval is unknown. Every rate kpulse shows or judges is this.
inline double rate_of(double increase, double interval_s) {
  return interval_s > 0 ? increase / interval_s : kNaN;
}
// What a sample reads as: a gauge its value, a counter its rate_of(delta).
double reading_of(const Sample& s, double interval_s);

}  // namespace kpulse::model
