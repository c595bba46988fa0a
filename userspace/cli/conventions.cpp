#include "cli/conventions.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "record/segment_dir.h"

namespace kpulse::cli {
namespace {

struct Unit {
  std::string_view suffix;
  double seconds;
};
// The whole suffix must match: "5ms" is not read as minutes.
constexpr Unit kUnits[] = {{"us", 1e-6}, {"ms", 1e-3}, {"s", 1},
                           {"m", 60},    {"h", 3600},  {"d", 86400}};

std::string shortest(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, r.ptr};
}

// "kpulse config check" for the usage line of the deepest parsed subcommand.
// The root is "kpulse" whatever argv[0] was (CLI11 renames it to argv[0]).
std::string command_path(const CLI::App* app) {
  std::string path;
  for (; app != nullptr && app->get_parent() != nullptr; app = app->get_parent())
    path.insert(0, " " + app->get_name());
  return path.insert(0, "kpulse");
}

CLI::App* deepest_parsed(CLI::App& root) {
  CLI::App* app = &root;
  for (;;) {
    auto subs = app->get_subcommands();
    if (subs.empty()) return app;
    app = subs.back();
  }
}

// An argument in a subcommand's place that names none: CLI11 would say "A
// subcommand is required" or "arguments were not expected".
std::optional<std::string> unknown_subcommand(CLI::App& root, int argc, char** argv) {
  CLI::App* app = &root;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("-")) return std::nullopt;
    if (app->get_subcommands({}).empty()) return std::nullopt;
    CLI::App* sub = nullptr;
    try {
      sub = app->get_subcommand(std::string(arg));
    } catch (const CLI::OptionNotFound&) {
      if (app->get_require_subcommand_min() > 0) return std::string(arg);
      return std::nullopt;
    }
    app = sub;
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> parse_duration_seconds(std::string_view text) {
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || !std::isfinite(value)) return std::nullopt;
  std::string_view suffix(end, text.data() + text.size() - end);
  if (suffix.empty()) return value;
  for (const auto& u : kUnits)
    if (suffix == u.suffix) return value * u.seconds;
  return std::nullopt;
}

CLI::Option* duration_option(CLI::App& app, const std::string& name, double& seconds,
                             const std::string& help) {
  return app.add_option(name, seconds, help)->type_name(kDurationType);
}

const CLI::Validator& positive() {
  static const CLI::Validator check(
      [](const std::string& text) -> std::string {
        double v = 0;
        if (!CLI::detail::lexical_cast(text, v) || !(v > 0))
          return "must be greater than 0, not " + text;
        return {};
      },
      "POSITIVE");
  return check;
}

void add_format_option(CLI::App& app, bool& json, const std::string& help) {
  auto* flag = app.add_flag("--json", json, help);
  app.add_option_function<std::string>(
         "--format", [&json](const std::string& format) { json = format == "json"; },
         "Output format: text or json (--json is --format json)")
      ->check(CLI::IsMember({"text", "json"}))
      ->excludes(flag);
}

void apply_duration_units(CLI::App& root) {
  CLI::Validator to_seconds(
      [](std::string& text) -> std::string {
        auto s = parse_duration_seconds(text);
        if (!s)
          return "\"" + text + "\" is not a duration: give 500ms, 2s, 5m, 1h or 1d (a plain " +
                 "number is seconds)";
        text = shortest(*s);
        return {};
      },
      "", "duration");
  // get_type_name() appends each check's description: "DURATION:FLOAT in [...]".
  const std::string type = kDurationType;
  for (CLI::Option* opt : root.get_options()) {
    const std::string name = opt->get_type_name();
    if (name == type || name.starts_with(type + ":")) opt->transform(to_seconds);
  }
  for (CLI::App* sub : root.get_subcommands({})) apply_duration_units(*sub);
}

int report_usage_error(CLI::App& root, const std::string& message) {
  CLI::App* app = deepest_parsed(root);
  std::fprintf(stderr, "kpulse: %s\n", message.c_str());
  // The usage line --help starts with ("Usage: kpulse dump [OPTIONS] dir").
  if (auto formatter = std::dynamic_pointer_cast<CLI::Formatter>(app->get_formatter())) {
    std::string usage = formatter->make_usage(app, command_path(app));
    while (!usage.empty() && usage.front() == '\n') usage.erase(0, 1);
    std::fputs(usage.c_str(), stderr);
  }
  std::fprintf(stderr, "Run '%s --help' for more information.\n", command_path(app).c_str());
  return kUsageExit;
}

std::optional<int> parse_command_line(CLI::App& root, int argc, char** argv) {
  if (auto name = unknown_subcommand(root, argc, argv)) {
    std::string msg = "unknown command '" + *name + "'";
    return report_usage_error(root, msg);
  }
  try {
    root.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return root.exit(e);  // --help, --version: the text, exit 0
  } catch (const CLI::ParseError& e) {
    return report_usage_error(root, e.what());
  }
  return std::nullopt;
}

std::string recording_dir_of(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (record::parse_segment_name(e.path())) return dir;
  const auto below = std::filesystem::path(dir) / "recordings";
  if (std::filesystem::is_directory(below, ec)) return below.string();
  return dir;
}

}  // namespace kpulse::cli
