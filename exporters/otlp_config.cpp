#include "exporters/otlp_config.h"

#include <charconv>
#include <cstdlib>

namespace kpulse::exporters {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; false on a truncated or non-hex escape.
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

const char* get(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  return v && *v ? v : nullptr;
}

void read_millis(const EnvLookup& env, const char* name, std::chrono::milliseconds& out,
                 std::vector<std::string>& warnings) {
  const char* v = get(env, name);
  if (!v) return;
  std::string_view s = trim(v);
  long long ms = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
  if (ec != std::errc() || p != s.data() + s.size() || ms <= 0) {
    warnings.push_back(std::string(name) + "='" + v +
                       "': not a positive number of milliseconds; keeping " +
                       std::to_string(out.count()));
    return;
  }
  out = std::chrono::milliseconds(ms);
}

}  // namespace

std::string signal_url(std::string_view base, std::string_view signal_path) {
  std::string url(trim(base));
  if (!url.empty() && url.back() == '/') url.pop_back();
  url += signal_path;
  return url;
}

KeyValues parse_key_value_list(std::string_view text, std::string_view what,
                               std::vector<std::string>& warnings) {
  KeyValues out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view entry = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (entry.empty()) continue;
    const size_t eq = entry.find('=');
    std::string key, value;
    if (eq == std::string_view::npos || trim(entry.substr(0, eq)).empty()) {
      warnings.push_back(std::string(what) + ": entry '" + std::string(entry) +
                         "' is not key=value; skipped");
      continue;
    }
    if (!percent_decode(trim(entry.substr(0, eq)), key) ||
        !percent_decode(trim(entry.substr(eq + 1)), value)) {
      warnings.push_back(std::string(what) + ": entry '" + std::string(entry) +
                         "' has a bad %-escape; skipped");
      continue;
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

OtlpConfig otlp_config_from_env(const EnvLookup& env) {
  OtlpConfig c;
  if (const char* base = get(env, "OTEL_EXPORTER_OTLP_ENDPOINT")) {
    c.metrics_url = signal_url(base, "/v1/metrics");
    c.logs_url = signal_url(base, "/v1/logs");
  }
  if (const char* v = get(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) c.metrics_url = trim(v);
  if (const char* v = get(env, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")) c.logs_url = trim(v);

  if (const char* v = get(env, "OTEL_EXPORTER_OTLP_HEADERS"))
    c.headers = parse_key_value_list(v, "OTEL_EXPORTER_OTLP_HEADERS", c.warnings);
  if (const char* v = get(env, "OTEL_EXPORTER_OTLP_METRICS_HEADERS")) {
    // Signal-specific headers replace generic ones with the same key.
    for (auto& [k, val] :
         parse_key_value_list(v, "OTEL_EXPORTER_OTLP_METRICS_HEADERS", c.warnings)) {
      std::erase_if(c.headers, [&](const auto& h) { return h.first == k; });
      c.headers.emplace_back(k, val);
    }
  }

  read_millis(env, "OTEL_EXPORTER_OTLP_TIMEOUT", c.timeout, c.warnings);
  read_millis(env, "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", c.timeout, c.warnings);
  read_millis(env, "OTEL_METRIC_EXPORT_INTERVAL", c.export_interval, c.warnings);

  for (const char* name :
       {"OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION"}) {
    const char* v = get(env, name);
    if (!v) continue;
    const std::string_view s = trim(v);
    if (s == "gzip")
      c.gzip = true;
    else if (s == "none")
      c.gzip = false;
    else
      c.warnings.push_back(std::string(name) + "='" + v + "': expected gzip or none; ignored");
  }

  if (const char* v = get(env, "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE")) {
    const std::string_view s = trim(v);
    if (s == "cumulative" || s == "CUMULATIVE")
      c.temporality = Temporality::Cumulative;
    else if (s == "delta" || s == "DELTA")
      c.temporality = Temporality::Delta;
    else
      c.warnings.push_back(std::string("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE='") + v +
                           "': expected cumulative or delta; ignored");
  }
  return c;
}

EnvLookup process_env() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

}  // namespace kpulse::exporters
