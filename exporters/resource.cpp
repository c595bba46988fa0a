#include "exporters/resource.h"

#include <sys/utsname.h>
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

// uname's machine as the semantic conventions' host.arch values.
std::string host_arch() {
  utsname u{};
  if (uname(&u) != 0) return {};
  const std::string_view m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  if (m.starts_with("arm")) return "arm32";
  if (m == "i386" || m == "i686") return "x86";
  if (m.starts_with("ppc64")) return "ppc64";
  if (m.starts_with("ppc")) return "ppc32";
  if (m == "s390x") return "s390x";
  return std::string(m);
}

// A 32-hex-digit machine id in UUID form: the conventions ask for a UUID in
// service.instance.id, and one per host is what keeps hosts apart.
std::string as_uuid(const std::string& id) {
  if (id.size() != 32) return id;
  return id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12, 4) + "-" + id.substr(16, 4) +
         "-" + id.substr(20);
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
  const std::string id = read_machine_id(options.machine_id_path);
  if (!id.empty()) set(kv, "host.id", id);
  if (std::string arch = host_arch(); !arch.empty()) set(kv, "host.arch", arch);
  set(kv, "os.type", "linux");
  set(kv, "service.name", "kpulse");
  set(kv, "service.version",
      options.service_version.empty() ? std::string(kpulse_version()) : options.service_version);
  // Without an instance id every host's series collapse into one in
  // Prometheus (the Collector maps it to the `instance` label).
  if (!id.empty())
    set(kv, "service.instance.id", as_uuid(id));
  else if (!host.empty())
    set(kv, "service.instance.id", host);

  if (const char* v = env("OTEL_RESOURCE_ATTRIBUTES"); v && *v)
    for (auto& [k, val] : parse_key_value_list(v, "OTEL_RESOURCE_ATTRIBUTES", warnings))
      set(kv, k, val);
  if (const char* v = env("OTEL_SERVICE_NAME"); v && *v) set(kv, "service.name", v);
  return kv;
}

}  // namespace kpulse::exporters
