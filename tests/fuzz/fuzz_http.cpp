// libFuzzer target: HTTP requests to the Prometheus endpoint over a real
// loopback connection: cpp-httplib's request parsing (in the shared library,
// not instrumented) and kpulse's connection guard and handlers. Each input
// is sent, the write side closed, and the answer read to the end.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "exporters/prometheus_server.h"

namespace {

kpulse::exporters::PrometheusServer& server() {
  static auto* s = [] {
    kpulse::exporters::HttpLimits limits;
    limits.request_timeout = std::chrono::milliseconds(2000);
    auto* srv = new kpulse::exporters::PrometheusServer({"127.0.0.1", 0}, limits);
    kpulse::model::Snapshot snap;
    snap.hostname = "fuzz";
    srv->publish(snap);
    return srv;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server().port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    size_t sent = 0;
    while (sent < size) {
      const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    char buf[65536];
    pollfd p{fd, POLLIN, 0};
    // A request the server waits on (incomplete) ends at its deadline.
    while (::poll(&p, 1, 5000) == 1 && ::recv(fd, buf, sizeof buf, 0) > 0) {
    }
  }
  ::close(fd);
  return 0;
}
