// systemd's readiness protocol (sd_notify) without libsystemd: one datagram
// to the socket in $NOTIFY_SOCKET. A no-op when not started by systemd.
#pragma once

#include <string>

namespace kpulse::daemon {

// Sends e.g. "READY=1" or "STATUS=collecting". Returns false when there is
// no socket or sending failed (never fatal: the service still runs).
bool notify_service(const std::string& state);

}  // namespace kpulse::daemon
