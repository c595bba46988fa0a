// The option table: each config option declared once, with its section, key,
// documentation, whether it applies live on SIGHUP, how to read it from TOML
// (with validation) and how to write it back. Parsing, the default file and
// reload diffs are all driven from this table.
#pragma once

#include <functional>
#include <span>
#include <string>

#include <toml++/toml.h>

#include "config/config.h"

namespace kpulse::config {

struct OptionSpec {
  std::string section;
  std::string key;
  std::string help;  // may span lines ('\n'); becomes "# " comments
  bool live = false;
  // Stores the node's value into `config`; returns "" or the reason it is invalid.
  std::function<std::string(const toml::node&, Config&)> read;
  // The current value in TOML syntax.
  std::function<std::string(const Config&)> render;

  [[nodiscard]] std::string dotted() const { return section + "." + key; }
};

// Section name and its one-line description, in file order.
struct SectionSpec {
  std::string name;
  std::string help;
};

std::span<const OptionSpec> option_specs();
std::span<const SectionSpec> section_specs();

}  // namespace kpulse::config
