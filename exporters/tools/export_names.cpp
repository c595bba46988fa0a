// Prints the table of exported metric names (OTLP and Prometheus) generated
// from the catalog; docs/exporters.md embeds this output.
#include <cstdio>

#include "exporters/export_names.h"

int main() {
  std::fputs(kpulse::exporters::exported_metrics_markdown().c_str(), stdout);
  return 0;
}
