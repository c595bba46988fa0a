// The JSON API's query parameters, read or refused. A refusal names the
// parameter and why, and is answered 400; an unknown path, alert id or
// metric stays 404 (docs/dashboard.md).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "model/metric_catalog.h"

namespace kpulse::dashboard {

class BadParameter : public std::invalid_argument {
 public:
  BadParameter(std::string parameter, const std::string& reason)
      : std::invalid_argument(parameter + ": " + reason), parameter_(std::move(parameter)) {}
  [[nodiscard]] const std::string& parameter() const { return parameter_; }

 private:
  std::string parameter_;
};

// A time in the command line's forms (Unix seconds, ISO 8601 UTC, -5m,
// now); `default_text` stands in for an empty `text`.
int64_t time_param(const std::string& name, const std::string& text,
                   const std::string& default_text, int64_t now_ns);

// A whole number at least `min`; `fallback` for an empty `text`.
int64_t integer_param(const std::string& name, const std::string& text, int64_t fallback,
                      int64_t min);

// "KIND:ID" (host:host, cgroup:/app.slice): the kind and the id.
std::pair<model::ComponentKind, std::string> component_param(const std::string& name,
                                                             const std::string& text);

}  // namespace kpulse::dashboard
