// Leveled logging to stderr. When stderr is the journal (JOURNAL_STREAM names
// it) each line starts with a "<N>" syslog priority so journald records the
// level and the time; anywhere else (a terminal, a file) each line starts with
// its UTC time.
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "config/config.h"

namespace kpulse::daemon {

using config::LogLevel;

void set_log_level(LogLevel level);
LogLevel log_level();
// Decides the line format once; tests call it after changing the environment.
void detect_journal();
// One line as written: "<6>msg\n" for the journal, else
// "2026-12-05T13:50:01.123Z kpulse: info: msg\n" (time in Unix ns). Control
// characters in the message (a newline, an escape) are written as '?'.
std::string format_log_line(LogLevel level, const std::string& message, bool journal,
                            int64_t time_ns);
// Whether a JOURNAL_STREAM value ("DEV:INODE") names the file open as `fd`.
bool journal_stream_is(const char* journal_stream, int fd);
// Writes one line (thread-safe) when `level` is at or above the current level.
void log_line(LogLevel level, const std::string& message);

template <class... Args>
void log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
  if (level < log_level()) return;
  log_line(level, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace kpulse::daemon
