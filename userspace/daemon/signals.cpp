#include "daemon/signals.h"

#include <csignal>

namespace kpulse::daemon {
namespace {
volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_reload = 0;

void on_stop(int) {
  g_stop = 1;
}
void on_hup(int) {
  g_reload = 1;
}
}  // namespace

void install_daemon_signal_handlers() {
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = on_hup;
  sigaction(SIGHUP, &sa, nullptr);
  // A closed log pipe must not kill the daemon.
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, nullptr);
}

bool stop_signalled() {
  return g_stop != 0;
}

bool take_reload_request() {
  if (!g_reload) return false;
  g_reload = 0;
  return true;
}

void request_stop() {
  g_stop = 1;
}
void request_reload() {
  g_reload = 1;
}

}  // namespace kpulse::daemon
