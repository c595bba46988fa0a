#include "exporters/export_settings.h"

#include <stdexcept>

namespace kpulse::exporters {

ResolvedExport resolve_export(const ExportChoices& choices, const EnvLookup& env) {
  ResolvedExport r;
  ExportOptions& o = r.options;
  if (!choices.prometheus_listen.empty())
    o.prometheus = parse_listen_address(choices.prometheus_listen);
  o.cardinality = choices.cardinality;
  o.histograms = choices.histograms;

  OtlpConfig otlp = otlp_config_from_env(env);
  const auto set = [&](const char* name) {
    const char* v = env(name);
    return v && *v;
  };
  const bool env_endpoint =
      set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
  const bool push = choices.otlp || (choices.otlp_from_env_endpoint && env_endpoint);
  r.warnings = otlp.warnings;
  if (push) {
    if (!otlp.errors.empty()) {
      std::string all;
      for (const auto& e : otlp.errors) all += (all.empty() ? "" : "; ") + e;
      throw std::runtime_error("export: " + all);
    }
    if (!choices.otlp_endpoint.empty()) set_base_endpoint(otlp, choices.otlp_endpoint);
    if (choices.temporality) otlp.temporality = *choices.temporality;
    if (choices.gzip) otlp.metrics.gzip = otlp.logs.gzip = *choices.gzip;
    o.export_interval = choices.export_interval    ? *choices.export_interval
                        : otlp.export_interval_set ? otlp.export_interval
                                                   : kDefaultExportInterval;
    o.otlp.emplace();
    o.otlp->config = std::move(otlp);
  }
  o.resource = resource_attributes(choices.resource, env, r.warnings);
  return r;
}

}  // namespace kpulse::exporters
