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

// PEM files for HTTPS: the CA bundle that verifies the receiver, and the
// client certificate and key for mutual TLS. Empty: system CAs, no client cert.
struct TlsFiles {
  std::string certificate;
  std::string client_certificate;
  std::string client_key;
};

// What one signal (metrics or logs) is sent with.
struct SignalSettings {
  std::string url;
  KeyValues headers;
  std::chrono::milliseconds timeout{10000};
  bool gzip = false;
  TlsFiles tls;
};

struct OtlpConfig {
  SignalSettings metrics{.url = "http://localhost:4318/v1/metrics"};
  SignalSettings logs{.url = "http://localhost:4318/v1/logs"};
  // OTEL_METRIC_EXPORT_INTERVAL when set; callers choose their own default.
  std::chrono::milliseconds export_interval{60000};
  bool export_interval_set = false;
  Temporality temporality = Temporality::Cumulative;
  // Variables that were set but unusable: each names the variable, the value
  // and why; its default was kept.
  std::vector<std::string> warnings;
  // Variables asking for something kpulse cannot do (PROTOCOL=grpc): the
  // export must not start, it would send what the receiver cannot read.
  std::vector<std::string> errors;
};

// Reads, for each signal, OTEL_EXPORTER_OTLP_{ENDPOINT,HEADERS,TIMEOUT,
// COMPRESSION,PROTOCOL,CERTIFICATE,CLIENT_CERTIFICATE,CLIENT_KEY} and their
// OTEL_EXPORTER_OTLP_{METRICS,LOGS}_* forms, plus
// OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE and
// OTEL_METRIC_EXPORT_INTERVAL. Signal-specific variables win over generic ones.
OtlpConfig otlp_config_from_env(const EnvLookup& env);
EnvLookup process_env();

// Points both signals at a base URL ("http://h:4318" -> /v1/metrics, /v1/logs);
// a URL that already ends in /v1/metrics is taken as the base, a common slip.
void set_base_endpoint(OtlpConfig& config, std::string_view base);

// The generic endpoint is a base URL: the signal path is appended
// ("http://h:4318" -> "http://h:4318/v1/metrics", also with a trailing slash).
// Signal-specific endpoints are used as given.
std::string signal_url(std::string_view base, std::string_view signal_path);

// Parses "k1=v1,k2=v2" as used by OTEL_EXPORTER_OTLP_HEADERS and
// OTEL_RESOURCE_ATTRIBUTES: entries trimmed, values percent-decoded. Malformed
// entries are skipped with a warning naming `what` and the entry.
KeyValues parse_key_value_list(std::string_view text, std::string_view what,
                               std::vector<std::string>& warnings);

// "kpulse/<version>": sent as User-Agent so receivers can tell agents apart.
std::string otlp_user_agent();

}  // namespace kpulse::exporters
