// The OTLP resource kpulse reports as: which host and which agent.
#pragma once

#include <string>

#include "exporters/otlp_config.h"

namespace kpulse::exporters {

struct ResourceOptions {
  std::string hostname;                             // host.name; empty: gethostname()
  std::string machine_id_path = "/etc/machine-id";  // host.id
  std::string service_version;                      // empty: kpulse's build version
};

// host.name, host.id, host.arch, os.type=linux, service.name=kpulse,
// service.version, service.instance.id (the machine id as a UUID, else the
// host name),
// then OTEL_RESOURCE_ATTRIBUTES (which may override any of them) and
// OTEL_SERVICE_NAME (which wins for service.name, as the spec says).
// Unusable entries are reported in `warnings`.
KeyValues resource_attributes(const ResourceOptions& options, const EnvLookup& env,
                              std::vector<std::string>& warnings);

// kpulse's version as built.
std::string_view kpulse_version();

}  // namespace kpulse::exporters
