// Leveled logging to stderr. Under systemd (JOURNAL_STREAM set) each line
// starts with a "<N>" syslog priority so journald records the level.
#pragma once

#include <string>

#include <fmt/format.h>

#include "config/config.h"

namespace kpulse::daemon {

using config::LogLevel;

void set_log_level(LogLevel level);
LogLevel log_level();
// Decides the line format once; tests call it after changing the environment.
void detect_journal();
// Writes one line (thread-safe) when `level` is at or above the current level.
void log_line(LogLevel level, const std::string& message);

template <class... Args>
void log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
  if (level < log_level()) return;
  log_line(level, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace kpulse::daemon
