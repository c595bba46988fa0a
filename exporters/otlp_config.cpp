#include "exporters/otlp_config.h"

#include <algorithm>
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

namespace {

// One signal's variables: the generic OTEL_EXPORTER_OTLP_X first, then
// OTEL_EXPORTER_OTLP_<SIGNAL>_X over it.
void read_signal(const EnvLookup& env, std::string_view signal, std::string_view path,
                 SignalSettings& out, OtlpConfig& c) {
  const auto names = [&](std::string_view what) {
    return std::pair{"OTEL_EXPORTER_OTLP_" + std::string(what),
                     "OTEL_EXPORTER_OTLP_" + std::string(signal) + "_" + std::string(what)};
  };
  auto [generic_ep, signal_ep] = names("ENDPOINT");
  if (const char* base = get(env, generic_ep.c_str())) out.url = signal_url(base, path);
  if (const char* v = get(env, signal_ep.c_str())) out.url = trim(v);

  auto [generic_h, signal_h] = names("HEADERS");
  if (const char* v = get(env, generic_h.c_str()))
    out.headers = parse_key_value_list(v, generic_h, c.warnings);
  if (const char* v = get(env, signal_h.c_str())) {
    // Signal-specific headers replace generic ones with the same key.
    for (auto& kv : parse_key_value_list(v, signal_h, c.warnings)) {
      std::erase_if(out.headers, [&](const auto& h) { return h.first == kv.first; });
      out.headers.push_back(std::move(kv));
    }
  }

  for (const auto& name : {names("TIMEOUT").first, names("TIMEOUT").second})
    read_millis(env, name.c_str(), out.timeout, c.warnings);

  for (const auto& name : {names("COMPRESSION").first, names("COMPRESSION").second}) {
    const char* v = get(env, name.c_str());
    if (!v) continue;
    const std::string_view s = trim(v);
    if (s == "gzip")
      out.gzip = true;
    else if (s == "none")
      out.gzip = false;
    else
      c.warnings.push_back(name + "='" + v + "': expected gzip or none; ignored");
  }

  for (const auto& name : {names("PROTOCOL").first, names("PROTOCOL").second}) {
    const char* v = get(env, name.c_str());
    if (!v || trim(v) == "http/protobuf") continue;
    if (trim(v) == "grpc")
      c.errors.push_back(name + "=grpc: kpulse speaks OTLP/HTTP only; set it to http/protobuf " +
                         "and point the endpoint at the receiver's HTTP port (4318 by default)");
    else
      c.errors.push_back(name + "='" + v + "': kpulse supports http/protobuf only");
  }

  const std::pair<const char*, std::string TlsFiles::*> tls[] = {
      {"CERTIFICATE", &TlsFiles::certificate},
      {"CLIENT_CERTIFICATE", &TlsFiles::client_certificate},
      {"CLIENT_KEY", &TlsFiles::client_key}};
  for (const auto& [what, member] : tls)
    for (const auto& name : {names(what).first, names(what).second})
      if (const char* v = get(env, name.c_str())) out.tls.*member = trim(v);
}

}  // namespace

OtlpConfig otlp_config_from_env(const EnvLookup& env) {
  OtlpConfig c;
  read_signal(env, "METRICS", "/v1/metrics", c.metrics, c);
  read_signal(env, "LOGS", "/v1/logs", c.logs, c);
  // Each generic-variable problem was reported once per signal: keep one.
  std::vector<std::string> unique;
  for (auto& w : c.warnings)
    if (std::find(unique.begin(), unique.end(), w) == unique.end()) unique.push_back(std::move(w));
  c.warnings = std::move(unique);
  std::vector<std::string> unique_errors;
  for (auto& e : c.errors)
    if (std::find(unique_errors.begin(), unique_errors.end(), e) == unique_errors.end())
      unique_errors.push_back(std::move(e));
  c.errors = std::move(unique_errors);

  if (get(env, "OTEL_METRIC_EXPORT_INTERVAL")) {
    const size_t warnings = c.warnings.size();
    read_millis(env, "OTEL_METRIC_EXPORT_INTERVAL", c.export_interval, c.warnings);
    c.export_interval_set = c.warnings.size() == warnings;
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

void set_base_endpoint(OtlpConfig& config, std::string_view base) {
  base = trim(base);
  if (base.ends_with("/v1/metrics")) base.remove_suffix(std::string_view("/v1/metrics").size());
  config.metrics.url = signal_url(base, "/v1/metrics");
  config.logs.url = signal_url(base, "/v1/logs");
}

std::string otlp_user_agent() {
#ifdef KPULSE_VERSION
  return std::string("kpulse/") + KPULSE_VERSION;
#else
  return "kpulse/unknown";
#endif
}

EnvLookup process_env() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

}  // namespace kpulse::exporters
