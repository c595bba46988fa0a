// Test peer: tests/peers/otlp-receiver (Node), an OTLP/HTTP receiver that
// decodes with the official opentelemetry-proto definitions shipped by
// @opentelemetry/otlp-transformer and writes each request as one JSON line.
// Used by the exporter peer tests and the daemon's OTLP integration test.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "peer_process.h"

namespace kpulse::exporters::testing {

// `npm ci` once (under a lock, ctest may run tests in parallel); the only
// step that needs the network, and only the npm registry. Fails the test
// (gtest assertions) when the dependencies cannot be installed.
void ensure_receiver_installed();

class Receiver {
 public:
  // Starts the receiver writing to `out`; `extra` are receiver.js options.
  explicit Receiver(const std::filesystem::path& out, std::vector<std::string> extra = {},
                    int port = 0);
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url(std::string_view path) const;
  // Every request so far, decoded.
  [[nodiscard]] std::vector<nlohmann::json> entries() const;

 private:
  std::filesystem::path out_;
  PeerProcess proc_;
  int port_ = 0;
};

}  // namespace kpulse::exporters::testing
