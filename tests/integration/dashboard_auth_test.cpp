// The dashboard's access rules on a real `kpulse run`, checked with a real
// HTTP client: with a token configured nothing on the listener (page, API,
// /metrics) answers without it; the dashboard refuses to serve beyond
// loopback without one; cert and key files make the listener HTTPS.
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kBin = KPULSE_BINARY;
constexpr const char* kToken = "dash-token-8f3a";

class DashboardAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kpulse_dashboard_auth_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    token_ = dir_ / "token";
    std::ofstream(token_) << kToken << "\n";
    ::chmod(token_.c_str(), 0600);
    log_ = dir_ / "stderr.log";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Starts `kpulse run --no-bpf --dashboard` with `extra` TOML for [dashboard].
  std::unique_ptr<Child> start(const std::string& listen, const std::string& extra) {
    const fs::path config = dir_ / "kpulse.toml";
    std::ofstream(config) << "[collection]\ninterval = 0.5\n[daemon]\nstatus_interval = 0\n"
                          << "[state]\ndir = \"" << dir_.string() << "\"\n"
                          << "[record]\nenabled = false\n[analytics]\nenabled = false\n"
                          << "[prometheus]\nenabled = true\nlisten = \"" << listen << "\"\n"
                          << "[dashboard]\n"
                          << extra;
    return std::make_unique<Child>("exec env -u JOURNAL_STREAM " + kBin +
                                       " run --no-bpf --dashboard --config " + config.string() +
                                       " 2>" + log_.string(),
                                   nullptr);
  }
  // The port from "dashboard: serving http://127.0.0.1:PORT/".
  int port() {
    if (!wait_for_text(log_.string(), "dashboard: serving", 30s)) return -1;
    std::smatch m;
    const std::string log = slurp(log_.string());
    if (!std::regex_search(log, m, std::regex(R"(serving https?://[^ ]*:(\d+)/)"))) return -1;
    return std::stoi(m[1]);
  }
  fs::path dir_, token_, log_;
};

TEST_F(DashboardAuth, PageApiAndMetricsRefuseRequestsWithoutTheToken) {
  auto daemon = start("127.0.0.1:0", "token_file = \"" + token_.string() + "\"\n");
  const int p = port();
  ASSERT_GT(p, 0) << slurp(log_.string());
  httplib::Client http("127.0.0.1", p);
  http.set_read_timeout(10, 0);
  for (const char* path : {"/", "/api/v1/snapshot", "/api/v1/alerts", "/api/v1/charts",
                           "/api/v1/series?metric=cpu.utilization&component=host:host",
                           "/api/v1/alert?id=x", "/api/v1/live?since=-5m&after=0", "/metrics"}) {
    auto none = http.Get(path);
    ASSERT_TRUE(none) << path << ": " << httplib::to_string(none.error());
    EXPECT_EQ(none->status, 401) << path;
    EXPECT_EQ(none->body.find("kpulse_"), std::string::npos) << path << " leaked data";
    EXPECT_NE(none->get_header_value("WWW-Authenticate").find("Basic"), std::string::npos);
    auto wrong = http.Get(path, {{"Authorization", "Bearer not-the-token"}});
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401) << path;
  }
  // The token as a bearer (scripts) and as basic-auth password (browsers).
  httplib::Headers bearer{{"Authorization", std::string("Bearer ") + kToken}};
  std::string body;
  for (int i = 0; i < 40; ++i) {  // the first interval takes a moment
    auto r = http.Get("/api/v1/snapshot", bearer);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    body = r->body;
    if (body.find("\"host\"") != std::string::npos) break;
    std::this_thread::sleep_for(250ms);
  }
  EXPECT_NE(body.find("\"schema\":\"kpulse.dashboard/v1\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"cgroups\""), std::string::npos);
  auto metrics = http.Get("/metrics", bearer);
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("kpulse_"), std::string::npos);
  http.set_basic_auth("kpulse", kToken);
  auto page = http.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<title>kpulse</title>"), std::string::npos);
  EXPECT_EQ(page->body.find("http://"), std::string::npos) << "the page fetches nothing external";
  http.set_basic_auth("someone", kToken);
  auto wrong_user = http.Get("/");
  ASSERT_TRUE(wrong_user);
  EXPECT_EQ(wrong_user->status, 401);
  ASSERT_EQ(::kill(daemon->pid(), SIGTERM), 0);
  EXPECT_EQ(daemon->wait(30s), 0) << slurp(log_.string());
}

TEST_F(DashboardAuth, WithoutATokenTheDashboardStaysOnLoopback) {
  auto open = start("0.0.0.0:0", "");
  EXPECT_EQ(open->wait(30s), 1) << slurp(log_.string());
  EXPECT_NE(slurp(log_.string()).find("beyond loopback) needs dashboard.token_file"),
            std::string::npos)
      << slurp(log_.string());
  // Loopback without a token serves, to anyone on this host.
  auto local = start("127.0.0.1:0", "");
  const int p = port();
  ASSERT_GT(p, 0) << slurp(log_.string());
  httplib::Client http("127.0.0.1", p);
  auto r = http.Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(DashboardAuth, CertificateAndKeyMakeTheListenerHttps) {
  if (!have_command("openssl")) GTEST_SKIP() << "openssl not installed";
  const fs::path cert = dir_ / "cert.pem", key = dir_ / "key.pem";
  ASSERT_EQ(run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " +
                key.string() + " -out " + cert.string() + " >/dev/null 2>&1"),
            0);
  auto daemon =
      start("127.0.0.1:0", "token_file = \"" + token_.string() + "\"\ntls_cert = \"" +
                               cert.string() + "\"\ntls_key = \"" + key.string() + "\"\n");
  const int p = port();
  ASSERT_GT(p, 0) << slurp(log_.string());
  EXPECT_NE(slurp(log_.string()).find("serving https://"), std::string::npos);
  httplib::SSLClient https("127.0.0.1", p);
  https.enable_server_certificate_verification(false);
  auto refused = https.Get("/api/v1/alerts");
  ASSERT_TRUE(refused) << httplib::to_string(refused.error());
  EXPECT_EQ(refused->status, 401);
  auto ok = https.Get("/api/v1/alerts", {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_NE(ok->body.find("\"active\""), std::string::npos);
  // Plain HTTP gets no answer from a TLS listener.
  httplib::Client plain("127.0.0.1", p);
  plain.set_read_timeout(5, 0);
  auto r = plain.Get("/api/v1/alerts", {{"Authorization", std::string("Bearer ") + kToken}});
  EXPECT_TRUE(!r || r->status != 200);
}

}  // namespace
}  // namespace kpulse::testing
