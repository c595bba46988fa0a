#include "exporters/cardinality.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace kpulse::exporters {
namespace {

using model::ComponentKind;

bool under(std::string_view path, std::string_view prefix) {
  while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
  if (prefix.empty() || prefix == "/") return true;
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

bool keep_cgroup(const model::Component& c, const CardinalityOptions& o) {
  if (cgroup_depth(c.id) > o.cgroup_depth) return false;
  if (o.cgroup_allow.empty()) return true;
  return std::any_of(o.cgroup_allow.begin(), o.cgroup_allow.end(),
                     [&](const std::string& p) { return under(c.id, p); });
}

double busy(const model::Component& c) {
  const double u = c.value(model::MetricId::CpuUtilization);
  return std::isnan(u) ? 0 : u;
}

// One component per command name; counters, gauges and histograms summed.
std::vector<model::Component> by_comm(std::vector<model::Component>& processes) {
  std::map<std::string, model::Component> merged;
  for (auto& p : processes) {
    auto [it, fresh] = merged.try_emplace(p.name);
    model::Component& m = it->second;
    if (fresh) {
      m.kind = ComponentKind::Process;
      m.id = "comm:" + p.name;  // not a pid: naming.cpp then emits comm only
      m.name = p.name;
    }
    for (const auto& s : p.samples) {
      if (std::isnan(s.value)) continue;
      auto t = std::find_if(m.samples.begin(), m.samples.end(),
                            [&](const model::Sample& x) { return x.id == s.id; });
      if (t == m.samples.end()) {
        m.samples.push_back(s);
      } else {
        t->value += s.value;
        t->delta += s.delta;
      }
    }
    for (const auto& h : p.histograms) {
      auto t = std::find_if(m.histograms.begin(), m.histograms.end(),
                            [&](const model::HistogramSample& x) { return x.id == h.id; });
      if (t == m.histograms.end()) {
        m.histograms.push_back(h);
      } else {
        t->total += h.total;
        t->delta += h.delta;
      }
    }
  }
  std::vector<model::Component> out;
  out.reserve(merged.size());
  for (auto& [comm, c] : merged) out.push_back(std::move(c));
  return out;
}

}  // namespace

std::optional<ProcessExport> parse_process_export(std::string_view text) {
  if (text == "off") return ProcessExport::Off;
  if (text == "comm") return ProcessExport::ByComm;
  if (text == "top") return ProcessExport::Top;
  return std::nullopt;
}

std::string_view to_string(ProcessExport p) {
  switch (p) {
    case ProcessExport::Off:
      return "off";
    case ProcessExport::ByComm:
      return "comm";
    case ProcessExport::Top:
      return "top";
  }
  return "off";
}

int cgroup_depth(std::string_view path) {
  int depth = 0;
  bool in_segment = false;
  for (char c : path) {
    if (c == '/') {
      in_segment = false;
    } else if (!in_segment) {
      in_segment = true;
      ++depth;
    }
  }
  return depth;
}

void limit_cardinality(model::Snapshot& snapshot, const CardinalityOptions& o,
                       CommTotals* comm_totals) {
  std::vector<model::Component> kept, processes;
  kept.reserve(snapshot.components.size());
  for (auto& c : snapshot.components) {
    // One series per exited pid would grow without bound: events travel as
    // OTLP log records (component_events.h) instead.
    if (model::is_event_kind(c.kind)) continue;
    if (c.kind == ComponentKind::Process) {
      if (o.processes != ProcessExport::Off) processes.push_back(std::move(c));
      continue;
    }
    if (c.kind == ComponentKind::Cgroup && !keep_cgroup(c, o)) continue;
    kept.push_back(std::move(c));
  }
  if (o.processes == ProcessExport::ByComm) {
    processes = by_comm(processes);
    if (comm_totals) comm_totals->carry(processes, snapshot.time_ns);
  } else if (o.processes == ProcessExport::Top) {
    const size_t n =
        std::min<size_t>(processes.size(), size_t(std::max<int64_t>(o.top_processes, 0)));
    std::partial_sort(processes.begin(), processes.begin() + static_cast<ptrdiff_t>(n),
                      processes.end(), [](const auto& a, const auto& b) {
                        if (busy(a) != busy(b)) return busy(a) > busy(b);
                        return a.id < b.id;
                      });
    processes.resize(n);
  }
  for (auto& p : processes) kept.push_back(std::move(p));
  snapshot.components = std::move(kept);
}

}  // namespace kpulse::exporters
