#include "daemon/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace kpulse::daemon {
namespace {
std::atomic<LogLevel> g_level{LogLevel::Info};
std::atomic<bool> g_journal{std::getenv("JOURNAL_STREAM") != nullptr};
std::mutex g_write;

// syslog(3) priorities: debug 7, info 6, notice 5, warning 4, err 3.
int syslog_priority(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return 7;
    case LogLevel::Info:
      return 6;
    case LogLevel::Notice:
      return 5;
    case LogLevel::Warning:
      return 4;
    case LogLevel::Error:
      return 3;
  }
  return 6;
}
}  // namespace

void set_log_level(LogLevel level) {
  g_level = level;
}
LogLevel log_level() {
  return g_level;
}
void detect_journal() {
  g_journal = std::getenv("JOURNAL_STREAM") != nullptr;
}

void log_line(LogLevel level, const std::string& message) {
  if (level < g_level.load()) return;
  std::string line = g_journal ? fmt::format("<{}>{}\n", syslog_priority(level), message)
                               : fmt::format("kpulse: {}: {}\n", config::to_string(level), message);
  std::lock_guard lock(g_write);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace kpulse::daemon
