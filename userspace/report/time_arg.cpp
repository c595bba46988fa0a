#include "report/time_arg.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace kpulse::report {

std::optional<int64_t> parse_time_arg(const std::string& text, int64_t now_ns) {
  if (text.empty()) return std::nullopt;
  if (text[0] == '-' && text.size() >= 3) {
    char unit = text.back();
    std::string number = text.substr(1, text.size() - 2);
    for (char c : number)
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    int64_t n = std::stoll(number);
    int64_t scale = unit == 's'   ? 1
                    : unit == 'm' ? 60
                    : unit == 'h' ? 3600
                    : unit == 'd' ? 86400
                                  : 0;
    if (!scale) return std::nullopt;
    return now_ns - n * scale * 1'000'000'000;
  }
  bool digits = true;
  for (char c : text) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits && text.size() <= 12) return std::stoll(text) * 1'000'000'000;

  std::tm tm{};
  int consumed = 0;
  char sep = 0;
  int n = std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                      &sep, &tm.tm_hour, &tm.tm_min, &consumed);
  if (n != 6 || (sep != 'T' && sep != ' ')) return std::nullopt;
  std::string rest = text.substr(static_cast<size_t>(consumed));
  if (rest.size() >= 3 && rest[0] == ':') {
    int sec_consumed = 0;
    if (std::sscanf(rest.c_str(), ":%2d%n", &tm.tm_sec, &sec_consumed) != 1) return std::nullopt;
    rest = rest.substr(static_cast<size_t>(sec_consumed));
  }
  if (!(rest.empty() || rest == "Z")) return std::nullopt;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000'000;
}

}  // namespace kpulse::report
