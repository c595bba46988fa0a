// The daemon's signals: SIGTERM/SIGINT ask it to stop, SIGHUP to reload its
// configuration. The handlers only set flags; the main loop acts on them.
#pragma once

namespace kpulse::daemon {

void install_daemon_signal_handlers();
bool stop_signalled();
// True once per SIGHUP received (several pending SIGHUPs count as one).
bool take_reload_request();
// Tests and in-process callers.
void request_stop();
void request_reload();

}  // namespace kpulse::daemon
