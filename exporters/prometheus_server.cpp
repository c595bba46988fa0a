#include "exporters/prometheus_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <charconv>
#include <stdexcept>

#include "exporters/prometheus_text.h"

namespace kpulse::exporters {

ListenAddress parse_listen_address(std::string_view text) {
  ListenAddress a;
  std::string_view port_text = text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      throw std::invalid_argument("listen address '" + std::string(text) +
                                  "': expected [IPv6]:PORT");
    a.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else if (const size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    if (colon > 0) a.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  int port = -1;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port < 0 || port > 65535)
    throw std::invalid_argument("listen address '" + std::string(text) + "': port '" +
                                std::string(port_text) + "' is not 0..65535");
  a.port = port;
  return a;
}

namespace {

std::unique_ptr<httplib::Server> make_server(const ListenerOptions& o) {
  if (o.tls_cert.empty() && o.tls_key.empty()) return std::make_unique<httplib::Server>();
  if (o.tls_cert.empty() || o.tls_key.empty())
    throw std::runtime_error("https: both a certificate and a key file are needed");
  auto server = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
  if (!server->is_valid())
    throw std::runtime_error("https: cannot load the certificate " + o.tls_cert + " or key " +
                             o.tls_key + " (PEM files, readable, key matching the certificate)");
  return server;
}

}  // namespace

PrometheusServer::PrometheusServer(const ListenAddress& address, HttpLimits limits)
    : PrometheusServer(address, ListenerOptions{.limits = limits}) {}

PrometheusServer::PrometheusServer(const ListenAddress& address, ListenerOptions options)
    : server_(make_server(options)),
      guard_(*server_, options.limits),
      snapshot_(std::make_shared<model::Snapshot>()) {
  // Every route behind the same door: with a token set, nothing (not even
  // /metrics) answers without it.
  auto get = [this, access = options.access](const std::string& pattern, auto handler) {
    server_->Get(
        pattern, [this, access, handler](const httplib::Request& req, httplib::Response& res) {
          if (!access.allows(req.get_header_value("Authorization"))) {
            ++refused_;
            res.status = 401;
            res.set_header("WWW-Authenticate", std::string("Basic realm=\"") + kHttpAuthRealm +
                                                   "\", charset=\"UTF-8\"");
            res.set_content("authentication required\n", "text/plain");
            return;
          }
          handler(req, res);
        });
  };
  if (options.serve_metrics)
    get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      const auto text = current_text();
      ++scrapes_;
      res.set_content(*text, kPrometheusContentType);
    });
  bool has_root = false;
  for (auto& route : options.routes) {
    has_root |= route.pattern == "/";
    get(route.pattern, std::move(route.handler));
  }
  // One request per connection. Debian's cpp-httplib (0.11) waits for a
  // kept-alive connection's next request by polling it every 10 ms (select,
  // then a 1 ms sleep): ~90 wake-ups a second per idle connection, which made
  // a browser polling the dashboard cost kpulse 1.75% of a core against 0.4%
  // for curl opening a new connection each second. A new loopback connection
  // per request costs less than that.
  server_->set_keep_alive_max_count(1);
  if (!has_root)
    get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("kpulse exporter: metrics at /metrics\n", "text/plain");
    });
  // httplib's default also sets SO_REUSEPORT, which would let a second kpulse
  // silently share the port and answer half the scrapes. Keep SO_REUSEADDR only.
  int listening_socket = -1;  // the last socket httplib configured is the one it bound
  server_->set_socket_options([&listening_socket](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listening_socket = sock;
  });
  port_ = address.port == 0
              ? server_->bind_to_any_port(address.host)
              : (server_->bind_to_port(address.host, address.port) ? address.port : -1);
  if (port_ < 0)
    throw std::runtime_error("prometheus: cannot listen on " + address.host + ":" +
                             std::to_string(address.port) + " (in use or not a local address)");
  // Debian's compiled cpp-httplib listens with a backlog of 5: a burst of
  // more connections than that (scrapers, slow clients, a page's requests)
  // has its SYNs dropped and waits 1, 3, 7 s for retransmits. Listening again
  // on the bound socket raises the backlog to the system's limit.
  if (listening_socket >= 0) ::listen(listening_socket, SOMAXCONN);
  guard_.set_port(port_);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs; a destructor racing ahead of
  // it would then join a server that never stops.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

PrometheusServer::~PrometheusServer() {
  server_->stop();
  thread_.join();
}

void PrometheusServer::publish(const model::Snapshot& snapshot) {
  auto copy = std::make_shared<const model::Snapshot>(snapshot);
  std::lock_guard lock(mu_);
  snapshot_ = std::move(copy);
  text_.reset();
}

std::shared_ptr<const std::string> PrometheusServer::current_text() {
  std::lock_guard encode_lock(encode_mu_);
  std::shared_ptr<const model::Snapshot> snap;
  {
    std::lock_guard lock(mu_);
    if (text_) return text_;
    snap = snapshot_;
  }
  auto text = std::make_shared<const std::string>(prometheus_text(*snap));
  std::lock_guard lock(mu_);
  // A publish() during encoding wins: its snapshot is encoded on the next scrape.
  if (snapshot_ == snap) text_ = text;
  return text;
}

}  // namespace kpulse::exporters
