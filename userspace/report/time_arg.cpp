#include "report/time_arg.h"

#include <stdexcept>

#include "cli/time_arg.h"

namespace kpulse::report {

// One grammar for every command that takes a time: the command line's parser (cli/time_arg.h).
std::optional<int64_t> parse_time_arg(const std::string& text, int64_t now_ns) {
  try {
    return cli::parse_time_arg(text, now_ns);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

}  // namespace kpulse::report
