#include "dashboard/api_params.h"

#include <charconv>

#include "report/time_arg.h"

namespace kpulse::dashboard {

int64_t time_param(const std::string& name, const std::string& text,
                   const std::string& default_text, int64_t now_ns) {
  const std::string& given = text.empty() ? default_text : text;
  if (auto t = report::parse_time_arg(given, now_ns)) return *t;
  throw BadParameter(name, "\"" + given +
                               "\" is not a time (Unix seconds, YYYY-MM-DDTHH:MM[:SS][Z], "
                               "-N{s,m,h,d} or now)");
}

int64_t integer_param(const std::string& name, const std::string& text, int64_t fallback,
                      int64_t min) {
  if (text.empty()) return fallback;
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw BadParameter(name, "\"" + text + "\" is not a whole number");
  if (value < min) throw BadParameter(name, "\"" + text + "\" is below " + std::to_string(min));
  return value;
}

std::pair<model::ComponentKind, std::string> component_param(const std::string& name,
                                                             const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos)
    throw BadParameter(name, "\"" + text + "\" is not KIND:ID (e.g. host:host, cgroup:/app.slice)");
  const auto kind = model::component_kind_from_string(text.substr(0, colon));
  if (!kind) throw BadParameter(name, "unknown component kind \"" + text.substr(0, colon) + "\"");
  return {*kind, text.substr(colon + 1)};
}

}  // namespace kpulse::dashboard
