#include "config/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/options.h"
#include "trust/owner_rule.h"

namespace kpulse::config {
namespace {

int line_of(const toml::source_region& where) {
  return static_cast<int>(where.begin.line);
}

const OptionSpec* find_option(std::string_view section, std::string_view key) {
  for (const auto& spec : option_specs())
    if (spec.section == section && spec.key == key) return &spec;
  return nullptr;
}

bool known_section(std::string_view name) {
  for (const auto& s : section_specs())
    if (s.name == name) return true;
  return false;
}

// [otlp] is the older name of [export.otlp].
std::string canonical_section(const std::string& name) {
  return name == "otlp" ? "export.otlp" : name;
}

// Reads one section's options (and its known sub-sections), handing every
// problem to `report`.
void read_section(const std::string& file, const std::string& section, const toml::table& table,
                  Config& config, const std::function<void(ConfigError)>& report) {
  for (const auto& [key, node] : table) {
    const std::string nested = section + "." + std::string(key.str());
    if (node.is_table() && known_section(nested)) {
      read_section(file, nested, *node.as_table(), config, report);
      continue;
    }
    const OptionSpec* spec = find_option(section, key.str());
    if (!spec) {
      report(ConfigError(file, line_of(key.source()),
                         fmt::format("unknown option \"{}\" in [{}]", key.str(), section)));
      continue;
    }
    std::string why = spec->read(node, config);
    if (!why.empty())
      report(ConfigError(file, line_of(node.source()), fmt::format("{}: {}", spec->dotted(), why)));
  }
}

void comment_lines(std::string& out, const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += "# " + line + "\n";
}

}  // namespace

ConfigError::ConfigError(std::string file, int line, std::string reason)
    : std::runtime_error(line > 0 ? fmt::format("{}:{}: {}", file, line, reason)
                                  : fmt::format("{}: {}", file, reason)),
      file_(std::move(file)),
      line_(line),
      reason_(std::move(reason)) {}

std::string Config::recording_dir() const {
  if (!record.dir.empty()) return record.dir;
  std::string base = state.dir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base + "/recordings";
}

namespace {

// Parses `text`, handing every problem to `report`; stops at the first
// problem when `report` throws.
Config parse_each(std::string_view text, const std::string& file,
                  const std::function<void(ConfigError)>& report) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    report(ConfigError(file, line_of(e.source()), std::string(e.description())));
    return {};
  }
  Config config;
  // [otlp] is the older name of [export.otlp]: given both, one would win in
  // silence (the older, whatever the order in the file).
  if (const toml::node* old = root.get("otlp"); old && root["export"]["otlp"])
    report(ConfigError(file, line_of(old->source()),
                       "both [otlp] and [export.otlp] are given (the same section under its older "
                       "name): keep one"));
  for (const auto& [section_key, section_node] : root) {
    const std::string section = canonical_section(std::string(section_key.str()));
    if (!known_section(section)) {
      report(ConfigError(file, line_of(section_key.source()),
                         fmt::format("unknown section [{}]", section_key.str())));
      continue;
    }
    const auto* table = section_node.as_table();
    if (!table) {
      report(ConfigError(file, line_of(section_key.source()),
                         fmt::format("\"{}\" must be a section ([{}])", section, section)));
      continue;
    }
    read_section(file, section, *table, config, report);
  }
  return config;
}

// A config file is small text: anything else (a directory, a FIFO that
// would block, /dev/zero that never ends) is refused before reading.
constexpr off_t kMaxConfigBytes = 4 << 20;

std::string read_config_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw ConfigError(path, 0, fmt::format("cannot open: {}", std::strerror(errno)));
  struct stat st {};
  std::string why;
  if (::fstat(fd, &st) != 0)
    why = fmt::format("cannot stat: {}", std::strerror(errno));
  else if (S_ISDIR(st.st_mode))
    why = "is a directory, not a configuration file";
  else if (!S_ISREG(st.st_mode))
    why = "is not a regular file";
  // The file decides what root writes (the state directory, the tuner, the
  // listen address): refused, as sshd refuses its own, when another user owns
  // it or group or others may write it.
  else if (const std::string untrusted = trust::why_untrusted(st); !untrusted.empty())
    why = "refusing to use it: " + untrusted;
  else if (st.st_size > kMaxConfigBytes)
    why = fmt::format("{} bytes: larger than any configuration ({} bytes at most)",
                      static_cast<long long>(st.st_size), static_cast<long long>(kMaxConfigBytes));
  std::string text;
  char buf[65536];
  while (why.empty()) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) why = fmt::format("read error: {}", std::strerror(errno));
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > static_cast<size_t>(kMaxConfigBytes)) why = "grew while being read";
  }
  ::close(fd);
  if (!why.empty()) throw ConfigError(path, 0, why);
  return text;
}

}  // namespace

Config parse_config(std::string_view text, const std::string& file) {
  return parse_each(text, file, [](ConfigError e) { throw e; });
}

Config load_config(const std::string& path) {
  return parse_config(read_config_file(path), path);
}

std::vector<ConfigError> check_config_file(const std::string& path) {
  std::vector<ConfigError> errors;
  try {
    parse_each(read_config_file(path), path,
               [&](ConfigError e) { errors.push_back(std::move(e)); });
  } catch (const ConfigError& e) {
    errors.push_back(e);
  }
  return errors;
}

std::string default_config_text() {
  const Config defaults;
  std::string out =
      "# kpulse configuration (kpulse run --config FILE).\n"
      "# Every option is shown at its default. Options marked [live] change on\n"
      "# SIGHUP (systemctl reload kpulse); the others need a restart.\n"
      "# Check a file with: kpulse config check --config FILE\n";
  for (const auto& section : section_specs()) {
    out += "\n";
    comment_lines(out, section.help);
    out += "[" + section.name + "]\n";
    for (const auto& spec : option_specs()) {
      if (spec.section != section.name) continue;
      comment_lines(out, spec.help + (spec.live ? " [live]" : ""));
      out += spec.key + " = " + spec.render(defaults) + "\n";
    }
  }
  return out;
}

std::vector<std::string> changed_options(const Config& a, const Config& b) {
  std::vector<std::string> out;
  for (const auto& spec : option_specs())
    if (spec.render(a) != spec.render(b)) out.push_back(spec.dotted());
  return out;
}

Config merge_live_options(const Config& running, const Config& next) {
  Config out = next;
  for (const auto& spec : option_specs()) {
    if (spec.live) continue;
    // Through the option's own text form: one code path for every type.
    toml::table t = toml::parse("v = " + spec.render(running));
    spec.read(*t.get("v"), out);
  }
  return out;
}

bool live_option(const std::string& dotted_key) {
  for (const auto& spec : option_specs())
    if (spec.dotted() == dotted_key) return spec.live;
  return false;
}

}  // namespace kpulse::config
