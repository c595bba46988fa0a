// An OTLP/HTTP receiver for integration tests: listens on a free loopback
// port, decodes /v1/logs with the OTLP definitions and keeps every log
// record; /v1/metrics is accepted and dropped.
#pragma once

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "logs_service.pb.h"

namespace kpulse::testing {

// An OTLP/HTTP receiver on a free loopback port, keeping every log record.
class LogReceiver {
 public:
  LogReceiver() {
    server_.Post("/v1/logs", [this](const httplib::Request& req, httplib::Response& res) {
      opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest r;
      if (!r.ParseFromString(req.body)) {
        res.status = 400;
        return;
      }
      std::lock_guard lock(mu_);
      for (const auto& rl : r.resource_logs())
        for (const auto& sl : rl.scope_logs())
          for (const auto& rec : sl.log_records()) records_.push_back(rec);
      res.set_content(opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse()
                          .SerializeAsString(),
                      "application/x-protobuf");
    });
    server_.Post("/v1/metrics", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("", "application/x-protobuf");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~LogReceiver() {
    server_.stop();
    thread_.join();
  }
  [[nodiscard]] int port() const { return port_; }
  // Records whose attribute `key` equals `value`.
  std::vector<opentelemetry::proto::logs::v1::LogRecord> with(const std::string& key,
                                                              const std::string& value) {
    std::lock_guard lock(mu_);
    std::vector<opentelemetry::proto::logs::v1::LogRecord> out;
    for (const auto& r : records_)
      if (attribute(r, key) == value) out.push_back(r);
    return out;
  }
  static std::string attribute(const opentelemetry::proto::logs::v1::LogRecord& r,
                               const std::string& key) {
    for (const auto& a : r.attributes())
      if (a.key() == key) return a.value().string_value();
    return {};
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<opentelemetry::proto::logs::v1::LogRecord> records_;
  int port_ = -1;
};

}  // namespace kpulse::testing
