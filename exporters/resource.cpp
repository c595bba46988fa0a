#include "exporters/resource.h"

#include <unistd.h>

#include <fstream>

namespace kpulse::exporters {
namespace {

void set(KeyValues& kv, const std::string& key, std::string value) {
  for (auto& [k, v] : kv)
    if (k == key) {
      v = std::move(value);
      return;
    }
  kv.emplace_back(key, std::move(value));
}

std::string read_machine_id(const std::string& path) {
  std::ifstream in(path);
  std::string id;
  std::getline(in, id);
  while (!id.empty() && (id.back() == ' ' || id.back() == '\r')) id.pop_back();
  return id;
}

}  // namespace

std::string_view kpulse_version() {
#ifdef KPULSE_VERSION
  return KPULSE_VERSION;
#else
  return "unknown";
#endif
}

KeyValues resource_attributes(const ResourceOptions& options, const EnvLookup& env,
                              std::vector<std::string>& warnings) {
  KeyValues kv;
  std::string host = options.hostname;
  if (host.empty()) {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) == 0) host = buf;
  }
  if (!host.empty()) set(kv, "host.name", host);
  // host.id is optional in the conventions: left out rather than invented.
  if (std::string id = read_machine_id(options.machine_id_path); !id.empty())
    set(kv, "host.id", id);
  set(kv, "os.type", "linux");
  set(kv, "service.name", "kpulse");
  set(kv, "service.version",
      options.service_version.empty() ? std::string(kpulse_version()) : options.service_version);

  if (const char* v = env("OTEL_RESOURCE_ATTRIBUTES"); v && *v)
    for (auto& [k, val] : parse_key_value_list(v, "OTEL_RESOURCE_ATTRIBUTES", warnings))
      set(kv, k, val);
  if (const char* v = env("OTEL_SERVICE_NAME"); v && *v) set(kv, "service.name", v);
  return kv;
}

}  // namespace kpulse::exporters
