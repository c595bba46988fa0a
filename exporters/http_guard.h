// Keeps slow or idle HTTP clients from starving the exporter's scrapes
// (cpp-httplib serves each connection on one pool thread, and a client that
// sends one header line every few seconds never trips its per-read timeout).
//
// - A connection gets `request_timeout` to deliver its request (line and
//   headers, or the next request on a kept-alive connection); past it the
//   socket is shut down.
// - At most `max_connections` connections are served or queued at once (the
//   pool has that many threads); a new connection over the limit first
//   evicts the one that has waited longest for its request. A scrape sends
//   its request at once, so it is never the one evicted.
// - Writes time out per send (`write_timeout`).
// Only limits and timeouts: the server's routes are registered as before.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

namespace httplib {
class Server;
}

namespace kpulse::exporters {

struct HttpLimits {
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  size_t max_connections = 32;
};

class HttpGuard {
 public:
  // Installs the task queue, timeouts and request hooks on `server` (before
  // it listens); `server` must outlive the guard's use by it.
  HttpGuard(httplib::Server& server, HttpLimits limits);
  ~HttpGuard();
  HttpGuard(const HttpGuard&) = delete;
  HttpGuard& operator=(const HttpGuard&) = delete;

  // The port the server listens on: its accepted sockets are the ones with
  // this local port.
  void set_port(int port);
  // Connections shut down for being slow or evicted (for tests and stats).
  [[nodiscard]] uint64_t closed_slow() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace kpulse::exporters
