// Threshold bottlenecks: the spans where a resource stayed at or above its
// saturation threshold. The report marks them on the charts and lists them
// with the analytics alerts.
#pragma once

#include <vector>

#include "report/report_input.h"
#include "report/series.h"

namespace kpulse::report {

// Spans of consecutive points of `series` at or above `threshold`. A span
// ends at the last point above (a single point gives a zero-length span).
std::vector<Finding> saturated_spans(const Series& series, double threshold,
                                     const std::string& resource);

// Every threshold bottleneck of the snapshots (CPU, memory, PSI, disks).
std::vector<Finding> threshold_findings(const std::vector<model::Snapshot>& snaps,
                                        const Thresholds& thresholds);

}  // namespace kpulse::report
