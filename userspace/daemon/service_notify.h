// systemd's readiness protocol (sd_notify) without libsystemd: one datagram
// to the socket in $NOTIFY_SOCKET. A no-op when not started by systemd.
#pragma once

#include <chrono>
#include <string>

namespace kpulse::daemon {

// Sends e.g. "READY=1" or "STATUS=collecting". Returns false when there is
// no socket or sending failed (never fatal: the service still runs).
bool notify_service(const std::string& state);

// systemd's watchdog (WatchdogSec= in the unit): kick() sends WATCHDOG=1
// once half the interval has passed since the last one. The collection loop
// kicks it between and while waiting for snapshots, so a loop stuck in one
// collection stops the kicks and systemd restarts the service. A no-op when
// the service manager set no watchdog for this process.
class ServiceWatchdog {
 public:
  ServiceWatchdog();  // reads $WATCHDOG_USEC and $WATCHDOG_PID
  [[nodiscard]] bool enabled() const { return every_.count() > 0; }
  [[nodiscard]] std::chrono::microseconds interval() const { return every_ * 2; }
  void kick();

 private:
  std::chrono::microseconds every_{0};
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace kpulse::daemon
