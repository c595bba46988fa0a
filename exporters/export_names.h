// The reference table of exported metrics, built from the catalog and the
// naming rules; docs/exporters.md embeds it and a test keeps the two equal.
#pragma once

#include <string>

namespace kpulse::exporters {

// Markdown table: one row per catalog metric with its OTLP name, attributes,
// unit and instrument, and its Prometheus name, type and labels.
std::string exported_metrics_markdown();

}  // namespace kpulse::exporters
