#include "report/time_arg.h"

#include <stdexcept>

#include "record/time_arg.h"

namespace kpulse::report {

// One grammar for every command that takes a time: the recorder's parser.
std::optional<int64_t> parse_time_arg(const std::string& text, int64_t now_ns) {
  try {
    return record::parse_time_arg(text, now_ns);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

}  // namespace kpulse::report
