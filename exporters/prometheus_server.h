// Serves the latest snapshot as Prometheus text on GET /metrics from its own
// thread (cpp-httplib).
//
// publish() only swaps in a copy of the snapshot (~0.08 ms for 1,000
// components); the first scrape after it encodes (~2 ms) and caches the text
// for later scrapes of the same snapshot. Collection usually runs more often
// than Prometheus scrapes, so encoding eagerly every interval would mostly be
// wasted (figures: bench/micro/exporters_bench.cpp).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "exporters/http_access.h"
#include "exporters/http_guard.h"
#include "model/snapshot.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace kpulse::exporters {

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 9464;
};
// "127.0.0.1:9464", "[::1]:9464", ":9464" (loopback), "9464" (loopback).
// Throws std::invalid_argument naming the address and the problem. Binding
// beyond loopback needs an explicit host such as 0.0.0.0.
ListenAddress parse_listen_address(std::string_view text);

// A GET route served beside /metrics on the same listener (the dashboard).
struct HttpRoute {
  std::string pattern;  // httplib's: a path, or a regular expression
  std::function<void(const httplib::Request&, httplib::Response&)> handler;
};

// What the listener serves besides /metrics, and who may use it.
struct ListenerOptions {
  HttpLimits limits;
  bool serve_metrics = true;
  std::vector<HttpRoute> routes;  // a route for "/" replaces the plain-text pointer to /metrics
  HttpAccess access;              // applies to every route, /metrics included
  // Both set: HTTPS with this PEM certificate (chain) and key.
  std::string tls_cert, tls_key;
};

class PrometheusServer {
 public:
  // Binds (port 0: any free port) and starts serving; throws
  // std::runtime_error naming the address when it cannot bind. `limits`
  // keep slow clients from starving scrapes (exporters/http_guard.h).
  explicit PrometheusServer(const ListenAddress& address, HttpLimits limits = {});
  // The same with extra routes, authentication and TLS; throws
  // std::runtime_error when the certificate or key cannot be loaded.
  PrometheusServer(const ListenAddress& address, ListenerOptions options);
  ~PrometheusServer();
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  void publish(const model::Snapshot& snapshot);
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] uint64_t scrapes() const { return scrapes_; }
  // Requests refused for a missing or wrong token.
  [[nodiscard]] uint64_t refused() const { return refused_; }
  // Connections shut down for sending their request too slowly or evicted
  // to make room.
  [[nodiscard]] uint64_t slow_clients_closed() const { return guard_.closed_slow(); }

 private:
  std::unique_ptr<httplib::Server> server_;
  HttpGuard guard_;
  // Serves the text for the current snapshot, encoding it on first use.
  std::shared_ptr<const std::string> current_text();

  std::mutex mu_;  // guards snapshot_ and text_
  std::shared_ptr<const model::Snapshot> snapshot_;
  std::shared_ptr<const std::string> text_;  // null until encoded
  std::mutex encode_mu_;  // one encoder at a time; concurrent scrapes wait for it
  std::atomic<uint64_t> scrapes_{0};
  std::atomic<uint64_t> refused_{0};
  int port_ = 0;
  std::thread thread_;
};

}  // namespace kpulse::exporters
