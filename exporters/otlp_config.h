// OTLP exporter settings from the standard OTEL_* environment variables, with
// the specification's defaults and precedence.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kpulse::exporters {

enum class Temporality { Cumulative, Delta };

using KeyValues = std::vector<std::pair<std::string, std::string>>;
// Returns the variable's value or nullptr; tests pass a map, the CLI getenv.
using EnvLookup = std::function<const char*(const char*)>;

struct OtlpConfig {
  std::string metrics_url = "http://localhost:4318/v1/metrics";
  std::string logs_url = "http://localhost:4318/v1/logs";
  KeyValues headers;
  std::chrono::milliseconds timeout{10000};
  bool gzip = false;
  std::chrono::milliseconds export_interval{60000};
  Temporality temporality = Temporality::Cumulative;
  // Variables that were set but unusable: each names the variable, the value
  // and why; its default was kept.
  std::vector<std::string> warnings;
};

// Reads OTEL_EXPORTER_OTLP_{,METRICS_,LOGS_}ENDPOINT, _HEADERS, _TIMEOUT,
// _COMPRESSION, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE and
// OTEL_METRIC_EXPORT_INTERVAL. Signal-specific variables win over generic ones.
OtlpConfig otlp_config_from_env(const EnvLookup& env);
EnvLookup process_env();

// The generic endpoint is a base URL: the signal path is appended
// ("http://h:4318" -> "http://h:4318/v1/metrics", also with a trailing slash).
// Signal-specific endpoints are used as given.
std::string signal_url(std::string_view base, std::string_view signal_path);

// Parses "k1=v1,k2=v2" as used by OTEL_EXPORTER_OTLP_HEADERS and
// OTEL_RESOURCE_ATTRIBUTES: entries trimmed, values percent-decoded. Malformed
// entries are skipped with a warning naming `what` and the entry.
KeyValues parse_key_value_list(std::string_view text, std::string_view what,
                               std::vector<std::string>& warnings);

}  // namespace kpulse::exporters
