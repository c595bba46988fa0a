// Snapshot -> Prometheus text exposition format (version 0.0.4).
//
// Families appear in catalog order, series within a family sorted by component
// kind and id (then label), so consecutive scrapes list the same series in the
// same order however the collector ordered its components.
#pragma once

#include <string>

#include "model/snapshot.h"

namespace kpulse::exporters {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// Appends the exposition of `snapshot` to `out`.
void append_prometheus_text(std::string& out, const model::Snapshot& snapshot);
std::string prometheus_text(const model::Snapshot& snapshot);

}  // namespace kpulse::exporters
