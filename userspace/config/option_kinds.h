// The kinds of config option (a bool, a bounded number, a checked string, a
// list of allowed strings): each builds the OptionSpec's TOML reader, with its
// validation, and its writer. The option table (options.cpp) is made of them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/options.h"

namespace kpulse::config {

// Accessors hand out a mutable reference; render() only reads through it.
template <class T>
using Field = T& (*)(Config&);

OptionSpec bool_option(std::string section, std::string key, std::string help, bool live,
                       Field<bool> f);
// A number within lo..hi; TOML integers are taken too.
OptionSpec double_option(std::string section, std::string key, std::string help, bool live,
                         Field<double> f, double lo, double hi);
OptionSpec int_option(std::string section, std::string key, std::string help, bool live,
                      Field<int64_t> f, int64_t lo, int64_t hi);
// `check` returns "" or why the string is not acceptable.
OptionSpec string_option(std::string section, std::string key, std::string help, bool live,
                         Field<std::string> f,
                         std::function<std::string(const std::string&)> check = {});
// An array of strings, each one of `allowed` (empty: any string, e.g. paths).
OptionSpec string_list_option(std::string section, std::string key, std::string help, bool live,
                              Field<std::vector<std::string>> f, std::vector<std::string> allowed);
// daemon.log_level: one of the LogLevel names.
OptionSpec log_level_option();

// String checks for string_option: "" when acceptable, else why not.
std::string check_listen(const std::string& s);  // "host:port", numeric port
std::string check_url(const std::string& s);     // http:// or https://
std::string check_absolute(const std::string& s);
std::string check_absolute_or_empty(const std::string& s);
// Exactly one of `names` ("" too when `empty_ok`): "expected \"a\", \"b\" or \"c\"".
std::function<std::string(const std::string&)> check_one_of(std::vector<std::string> names,
                                                            bool empty_ok = false);

}  // namespace kpulse::config
