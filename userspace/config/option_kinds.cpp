#include "config/option_kinds.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace kpulse::config {
namespace {

template <class T>
T& field(Field<T> f, const Config& c) {
  return f(const_cast<Config&>(c));
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

std::string render_double(double v) {
  std::string s = fmt::format("{}", v);
  // TOML needs a '.' or exponent to keep the value a float.
  if (s.find_first_of(".eE") == std::string::npos && std::isfinite(v)) s += ".0";
  return s;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

constexpr std::array<LogLevel, 5> kLevels{LogLevel::Debug, LogLevel::Info, LogLevel::Notice,
                                          LogLevel::Warning, LogLevel::Error};

}  // namespace

OptionSpec bool_option(std::string section, std::string key, std::string help, bool live,
                       Field<bool> f) {
  return {std::move(section),
          std::move(key),
          std::move(help),
          live,
          [f](const toml::node& n, Config& c) -> std::string {
            auto v = n.value_exact<bool>();
            if (!v) return "expected true or false";
            f(c) = *v;
            return "";
          },
          [f](const Config& c) { return std::string(field(f, c) ? "true" : "false"); }};
}

OptionSpec double_option(std::string section, std::string key, std::string help, bool live,
                         Field<double> f, double lo, double hi) {
  return {std::move(section),
          std::move(key),
          std::move(help),
          live,
          [f, lo, hi](const toml::node& n, Config& c) -> std::string {
            std::optional<double> v;
            if (n.is_floating_point())
              v = n.value_exact<double>();
            else if (n.is_integer())
              v = static_cast<double>(*n.value_exact<int64_t>());
            if (!v) return "expected a number";
            if (!(*v >= lo && *v <= hi)) return fmt::format("{} is outside {}..{}", *v, lo, hi);
            f(c) = *v;
            return "";
          },
          [f](const Config& c) { return render_double(field(f, c)); }};
}

OptionSpec int_option(std::string section, std::string key, std::string help, bool live,
                      Field<int64_t> f, int64_t lo, int64_t hi) {
  return {std::move(section),
          std::move(key),
          std::move(help),
          live,
          [f, lo, hi](const toml::node& n, Config& c) -> std::string {
            auto v = n.value_exact<int64_t>();
            if (!v) return "expected an integer";
            if (*v < lo || *v > hi) return fmt::format("{} is outside {}..{}", *v, lo, hi);
            f(c) = *v;
            return "";
          },
          [f](const Config& c) { return fmt::format("{}", field(f, c)); }};
}

OptionSpec string_option(std::string section, std::string key, std::string help, bool live,
                         Field<std::string> f,
                         std::function<std::string(const std::string&)> check) {
  return {std::move(section),
          std::move(key),
          std::move(help),
          live,
          [f, check = std::move(check)](const toml::node& n, Config& c) -> std::string {
            auto v = n.value_exact<std::string>();
            if (!v) return "expected a string";
            if (check) {
              std::string why = check(*v);
              if (!why.empty()) return why;
            }
            f(c) = *v;
            return "";
          },
          [f](const Config& c) { return quote(field(f, c)); }};
}

OptionSpec string_list_option(std::string section, std::string key, std::string help, bool live,
                              Field<std::vector<std::string>> f, std::vector<std::string> allowed) {
  return {
      std::move(section),
      std::move(key),
      std::move(help),
      live,
      [f, allowed = std::move(allowed)](const toml::node& n, Config& c) -> std::string {
        const auto* arr = n.as_array();
        if (!arr) return "expected an array of strings";
        std::vector<std::string> out;
        for (const auto& item : *arr) {
          auto v = item.value_exact<std::string>();
          if (!v) return "expected an array of strings";
          // An empty `allowed` takes any string (paths).
          if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), *v) == allowed.end())
            return fmt::format("unknown value \"{}\" (expected one of: {})", *v,
                               join(allowed, ", "));
          out.push_back(*v);
        }
        f(c) = std::move(out);
        return "";
      },
      [f](const Config& c) {
        std::vector<std::string> quoted;
        for (const auto& s : field(f, c)) quoted.push_back(quote(s));
        return "[" + join(quoted, ", ") + "]";
      }};
}

OptionSpec log_level_option() {
  return {"daemon",
          "log_level",
          "Least severe message written to stderr (the journal under systemd):\n"
          "\"debug\", \"info\", \"notice\", \"warning\" or \"error\".",
          true,
          [](const toml::node& n, Config& c) -> std::string {
            auto v = n.value_exact<std::string>();
            if (!v) return "expected a string";
            for (LogLevel l : kLevels)
              if (*v == to_string(l)) {
                c.daemon.log_level = l;
                return "";
              }
            return fmt::format(
                "unknown log level \"{}\" (expected debug, info, notice, warning or error)", *v);
          },
          [](const Config& c) { return quote(std::string(to_string(c.daemon.log_level))); }};
}

// "host:port" with a numeric port; IPv6 hosts in brackets.
std::string check_listen(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size())
    return fmt::format("\"{}\" is not host:port", s);
  for (size_t i = colon + 1; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return fmt::format("\"{}\" has a non-numeric port", s);
  // Digits only, but maybe more than a long holds (found by fuzzing).
  long port = 0;
  const auto [end, ec] = std::from_chars(s.data() + colon + 1, s.data() + s.size(), port);
  // Port 0 takes any free port; the daemon logs the one it got.
  if (ec != std::errc() || end != s.data() + s.size() || port < 0 || port > 65535)
    return fmt::format("port {} is outside 0..65535", s.substr(colon + 1));
  return "";
}

std::string check_url(const std::string& s) {
  if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0)
    return fmt::format("\"{}\" is not an http:// or https:// URL", s);
  const std::string_view rest = std::string_view(s).substr(s.find("//") + 2);
  if (rest.empty() || rest.front() == '/' || rest.front() == ':')
    return fmt::format("\"{}\" names no host", s);
  if (rest.front() == '[' && rest.find(']') == std::string_view::npos)
    return fmt::format("\"{}\" has an unclosed [ in its host", s);
  return "";
}

std::string check_absolute(const std::string& s) {
  if (s.empty() || s[0] != '/') return fmt::format("\"{}\" is not an absolute path", s);
  return "";
}

std::string check_absolute_or_empty(const std::string& s) {
  return s.empty() ? "" : check_absolute(s);
}

std::function<std::string(const std::string&)> check_one_of(std::vector<std::string> names,
                                                            bool empty_ok) {
  std::string expected = "expected ";
  for (size_t i = 0; i < names.size(); ++i)
    expected += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + quote(names[i]);
  return [names = std::move(names), expected, empty_ok](const std::string& v) -> std::string {
    if (empty_ok && v.empty()) return "";
    return std::find(names.begin(), names.end(), v) != names.end() ? "" : expected;
  };
}

}  // namespace kpulse::config
