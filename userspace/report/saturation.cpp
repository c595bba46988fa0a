#include "report/saturation.h"

#include <fmt/format.h>

namespace kpulse::report {

std::vector<Finding> saturated_spans(const Series& series, double threshold,
                                     const std::string& resource) {
  std::vector<Finding> out;
  const auto& pts = series.points;
  size_t i = 0;
  while (i < pts.size()) {
    if (pts[i].value < threshold) {
      ++i;
      continue;
    }
    size_t j = i;
    double peak = pts[i].value;
    while (j + 1 < pts.size() && pts[j + 1].value >= threshold)
      peak = std::max(peak, pts[++j].value);
    Finding f;
    f.start_ns = pts[i].time_ns;
    f.end_ns = pts[j].time_ns;
    f.severity = "warning";
    f.resource = resource;
    f.source = "threshold";
    f.message =
        fmt::format("{} {} at or above {:.0f}% for {:.0f} s (peak {:.0f}%)", resource, series.label,
                    threshold * 100, (f.end_ns - f.start_ns) / 1e9, peak * 100);
    out.push_back(std::move(f));
    i = j + 1;
  }
  return out;
}

std::vector<Finding> threshold_findings(const std::vector<model::Snapshot>& snaps,
                                        const Thresholds& t) {
  std::vector<Finding> out;
  auto add = [&out](const SeriesGroup& g, double threshold, const std::string& resource) {
    for (const auto& s : g.series) {
      auto spans = saturated_spans(s, threshold, resource);
      out.insert(out.end(), spans.begin(), spans.end());
    }
  };
  add(host_cpu(snaps), t.cpu, "cpu");
  add(host_memory(snaps), t.memory, "memory");
  add(host_psi(snaps), t.psi, "psi");
  add(disk_utilization(snaps), t.disk, "disk");
  return out;
}

}  // namespace kpulse::report
