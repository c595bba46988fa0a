// Command-line conventions every subcommand shares, applied once in main.cpp
// so a new subcommand gets them without code of its own:
// - durations: an option declared with duration_option() (or any option
//   whose type name is "DURATION") takes 500ms, 2s, 5m, 1h, 1d; a plain
//   number is seconds. The value reaches the variable as seconds.
// - usage errors (CLI11 parse errors, an unknown subcommand, UsageError
//   thrown by a command) print the message and the usage line and exit 2.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace kpulse::cli {

inline constexpr int kUsageExit = 2;
inline constexpr const char* kDurationType = "DURATION";

// A wrong combination of flags found after parsing (main prints usage, exits 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "500ms" -> 0.5, "2s" -> 2, "5m" -> 300, "1.5h", "1d", "250us", "7" -> 7;
// nullopt for anything else (negative, empty, unknown unit).
std::optional<double> parse_duration_seconds(std::string_view text);

// Adds a duration option writing seconds into `seconds`.
CLI::Option* duration_option(CLI::App& app, const std::string& name, double& seconds,
                             const std::string& help);

// A value above zero. CLI::PositiveNumber's message printed the range up
// to DBL_MAX, 300 digits long, and read as if 0 were inside it.
const CLI::Validator& positive();

// Adds --json and its long form --format text|json, both setting `json`.
void add_format_option(CLI::App& app, bool& json, const std::string& help);

// Makes every DURATION option of `root` and its subcommands accept units.
void apply_duration_units(CLI::App& root);

// Parses argv; returns nullopt when a subcommand should run, else the exit
// status (0 after --help/--version, 2 after a usage error with usage printed).
std::optional<int> parse_command_line(CLI::App& root, int argc, char** argv);

// Prints "kpulse: MESSAGE" and the usage of the deepest parsed subcommand.
int report_usage_error(CLI::App& root, const std::string& message);

// `kpulse dump /var/lib/kpulse`: a state directory holds the recording in
// recordings/ (kpulse run's layout); any other directory is taken as is.
std::string recording_dir_of(const std::string& dir);

}  // namespace kpulse::cli
