// Serves the latest snapshot as Prometheus text on GET /metrics from its own
// thread (cpp-httplib).
//
// publish() encodes once per interval and swaps the text in under a mutex;
// scrapes only copy a shared pointer. Encoding per scrape would redo the work
// for every scraper and need a copy of the snapshot anyway (see
// bench/micro/exporters_bench.cpp for both costs).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "model/snapshot.h"

namespace httplib {
class Server;
}

namespace kpulse::exporters {

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 9464;
};
// "127.0.0.1:9464", "[::1]:9464", ":9464" (loopback), "9464" (loopback).
// Throws std::invalid_argument naming the address and the problem. Binding
// beyond loopback needs an explicit host such as 0.0.0.0.
ListenAddress parse_listen_address(std::string_view text);

class PrometheusServer {
 public:
  // Binds (port 0: any free port) and starts serving; throws
  // std::runtime_error naming the address when it cannot bind.
  explicit PrometheusServer(ListenAddress address);
  ~PrometheusServer();
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  void publish(const model::Snapshot& snapshot);
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] uint64_t scrapes() const { return scrapes_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::mutex mu_;
  std::shared_ptr<const std::string> text_;
  std::atomic<uint64_t> scrapes_{0};
  int port_ = 0;
  std::thread thread_;
};

}  // namespace kpulse::exporters
