// The one export configuration `kpulse export` and the daemon (`kpulse run`)
// both resolve: what the user chose (command-line flags, or the [export.*]
// sections of the config file) over the OTEL_* environment variables over
// the defaults.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "exporters/cardinality.h"
#include "exporters/export_pipeline.h"
#include "exporters/otlp_config.h"
#include "exporters/resource.h"

namespace kpulse::exporters {

inline constexpr std::chrono::milliseconds kDefaultExportInterval{10000};

struct ExportChoices {
  std::string prometheus_listen;  // "" = no Prometheus endpoint
  // Push OTLP. When false, an OTEL_EXPORTER_OTLP_(METRICS_)ENDPOINT in the
  // environment still turns it on if `otlp_from_env_endpoint` (the CLI's way).
  bool otlp = false;
  bool otlp_from_env_endpoint = false;
  std::string otlp_endpoint;  // base URL; "" = the variables' or the default
  std::optional<Temporality> temporality;
  std::optional<bool> gzip;
  std::optional<std::chrono::milliseconds> export_interval;
  HistogramForm histograms = HistogramForm::Exponential;
  CardinalityOptions cardinality;
  ResourceOptions resource;
};

struct ResolvedExport {
  ExportOptions options;
  std::vector<std::string> warnings;  // print them; the export still runs
};

// Throws std::runtime_error naming the variable when the environment asks for
// something kpulse cannot do (OTEL_EXPORTER_OTLP_PROTOCOL=grpc).
ResolvedExport resolve_export(const ExportChoices& choices, const EnvLookup& env);

}  // namespace kpulse::exporters
