#include "daemon/log.h"

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "model/clock.h"
#include "model/markup.h"

namespace kpulse::daemon {
namespace {
std::atomic<LogLevel> g_level{LogLevel::Info};
std::atomic<bool> g_journal{journal_stream_is(std::getenv("JOURNAL_STREAM"), 2)};
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
  g_journal = journal_stream_is(std::getenv("JOURNAL_STREAM"), 2);
}

// systemd.exec(5): JOURNAL_STREAM is inherited by children whose stderr may
// go elsewhere, so compare it with what fd 2 really is.
bool journal_stream_is(const char* journal_stream, int fd) {
  if (journal_stream == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(journal_stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  return ::fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

std::string format_log_line(LogLevel level, const std::string& raw_message, bool journal,
                            int64_t time_ns) {
  // Messages carry names any user chooses (a process's, a cgroup's): a
  // newline in one would start a line of its own, in the journal with a
  // priority of the user's choosing, and an escape sequence would reach the
  // terminal of whoever reads the log.
  const std::string message = model::printable(raw_message);
  if (journal) return fmt::format("<{}>{}\n", syslog_priority(level), message);
  const std::time_t secs = static_cast<std::time_t>(time_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z kpulse: {}: {}\n", when, (time_ns / 1'000'000) % 1000,
                     config::to_string(level), message);
}

void log_line(LogLevel level, const std::string& message) {
  if (level < g_level.load()) return;
  const int64_t now = model::wall_clock_ns();
  std::string line = format_log_line(level, message, g_journal, now);
  std::lock_guard lock(g_write);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace kpulse::daemon
