#include "busy_host.h"

#include <cmath>
#include <string>

namespace kpulse::bench {

using model::ComponentKind;
using model::MetricType;
using model::Unit;

BusyHost::BusyHost(BusyHostOptions o) : o_(o), rng_(o.seed) {
  add(ComponentKind::Host, "host", "", 1);
  for (int i = 0; i < o.cpus; ++i) add(ComponentKind::Cpu, "cpu" + std::to_string(i), "", 1);
  for (int i = 0; i < o.cgroups; ++i)
    add(ComponentKind::Cgroup, "/system.slice/svc-" + std::to_string(i) + ".service",
        "/system.slice", o.active_cgroups);
  for (int i = 0; i < o.processes; ++i)
    add(ComponentKind::Process, std::to_string(1000 + i),
        "/system.slice/svc-" + std::to_string(i % std::max(1, o.cgroups)) + ".service",
        o.active_processes);
  for (int i = 0; i < o.disks; ++i)
    add(ComponentKind::Disk, "nvme0n" + std::to_string(i + 1), "", 1);
  for (int i = 0; i < o.interfaces; ++i)
    add(ComponentKind::Interface, "eth" + std::to_string(i), "", 1);
  add(ComponentKind::Agent, "kpulse", "", 1);
}

void BusyHost::add(ComponentKind kind, std::string id, std::string parent, double activity) {
  Comp c;
  c.meta.kind = kind;
  c.meta.name = kind == ComponentKind::Process ? "worker-" + id : id;
  c.meta.id = std::move(id);
  c.meta.parent = std::move(parent);
  c.meta.kernel_id = comps_.size() + 100;
  c.activity = activity;
  for (const auto& m : model::all_metrics()) {
    if (!(m.scopes & model::scope_bit(kind))) continue;
    if (m.type == MetricType::Histogram) {
      if (kind == ComponentKind::Process) continue;
      c.hist.push_back({m.id, {}, {}});
      continue;
    }
    Series s{m.id, m.type, m.unit, 0};
    if (m.unit == Unit::Bytes)
      s.value = 4096.0 * std::uniform_int_distribution<int>(100, 200000)(rng_);
    if (m.type == MetricType::Gauge && m.unit == Unit::Count)
      s.value = std::uniform_int_distribution<int>(1, 50)(rng_);
    c.series.push_back(s);
  }
  comps_.push_back(std::move(c));
}

model::Snapshot BusyHost::next() {
  model::Snapshot snap;
  snap.seq = seq_;
  snap.time_ns = 1'780'000'000'000'000'000 + static_cast<int64_t>(seq_) * 1'000'000'000;
  snap.interval_s = 1.0;
  snap.hostname = "busy-host";
  ++seq_;
  std::uniform_real_distribution<double> u(0, 1);
  std::geometric_distribution<int> small(0.3);
  snap.components.reserve(comps_.size());
  for (auto& c : comps_) {
    model::Component out = c.meta;
    const bool active = u(rng_) < c.activity;
    double busy = 0;  // seconds on CPU this interval
    for (auto& s : c.series) {
      if (s.type == MetricType::Counter) {
        double inc = 0;
        if (active) {
          if (s.unit == Unit::Seconds)
            inc = std::uniform_int_distribution<int64_t>(0, 20'000'000)(rng_) / 1e9;  // ns
          else if (s.unit == Unit::Bytes)
            inc = 4096.0 * small(rng_) * small(rng_);
          else
            inc = small(rng_);
        }
        if (s.unit == Unit::Seconds) {
          // Cumulative nanoseconds, reported in seconds.
          const double ns = std::round(s.value * 1e9) + std::round(inc * 1e9);
          s.value = ns / 1e9;
          busy = std::max(busy, inc);
        } else {
          s.value += inc;
        }
        out.samples.push_back({s.id, s.value, inc});
      } else {
        if (active) {
          if (s.unit == Unit::Ratio)
            s.value = busy / snap.interval_s + u(rng_) * 1e-3;  // computed, no short form
          else if (s.unit == Unit::Bytes)
            s.value = std::max(0.0, s.value + 4096.0 * (small(rng_) - small(rng_)));
          else if (s.unit == Unit::Count)
            s.value = std::max(0.0, s.value + small(rng_) - small(rng_));
          else
            s.value += 1;
        } else if (s.unit == Unit::Ratio) {
          s.value = 0;
        }
        out.samples.push_back({s.id, s.value, 0});
      }
    }
    for (auto& h : c.hist) {
      h.delta = {};
      if (active) {
        const int events = small(rng_) * 10;
        for (int i = 0; i < events; ++i)
          h.delta.record(static_cast<uint64_t>(std::exp(u(rng_) * 14 + 6)));
      }
      h.total += h.delta;
      out.histograms.push_back(h);
    }
    snap.components.push_back(std::move(out));
  }
  return snap;
}

}  // namespace kpulse::bench
