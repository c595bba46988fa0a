// An OTLP receiver that is down, or that accepts and never answers, against
// the daemon: the failure is said in the log (naming the endpoint and the
// reason), not only counted, and shutdown does not wait out the request
// timeout. Before, the log said "0 failed" throughout and SIGTERM took 13 s.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kBin = KPULSE_BINARY;

// A loopback TCP port: listening (the kernel completes connections that are
// never accepted, so requests are sent and never answered) or closed.
class LoopbackPort {
 public:
  explicit LoopbackPort(bool listening) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("loopback port");
    port_ = ntohs(a.sin_port);
    if (listening) {
      ::listen(fd_, 64);
    } else {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~LoopbackPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  LoopbackPort(const LoopbackPort&) = delete;
  LoopbackPort& operator=(const LoopbackPort&) = delete;
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class ExportDown : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kpulse_export_down_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Starts `kpulse run` pushing OTLP to `url` every half second.
  std::unique_ptr<Child> start(const std::string& url) const {
    const fs::path config = dir_ / "kpulse.toml";
    std::ofstream(config) << "[collection]\ninterval = 0.25\nbpf = false\n"
                          << "[daemon]\nlog_level = \"info\"\nstatus_interval = 0\n"
                          << "[state]\ndir = \"" << (dir_ / "state").string() << "\"\n"
                          << "[record]\nenabled = false\n[analytics]\nenabled = false\n"
                          << "[export.otlp]\nenabled = true\ninterval = 0.5\nendpoint = \"" << url
                          << "\"\n";
    // A 30 s request timeout: shutdown must not wait it out.
    return std::make_unique<Child>(
        "exec env -u JOURNAL_STREAM -u NOTIFY_SOCKET "
        "OTEL_EXPORTER_OTLP_TIMEOUT=30000 " +
            kBin + " run --config " + config.string() + " 2>" + log_path(),
        nullptr);
  }
  [[nodiscard]] std::string log_path() const { return (dir_ / "run.log").string(); }
  [[nodiscard]] std::string log() const { return slurp(log_path()); }
  fs::path dir_;
};

TEST_F(ExportDown, ARefusingReceiverIsNamedInTheLogWithTheReason) {
  const LoopbackPort closed(false);
  auto daemon = start(closed.url());
  ASSERT_TRUE(wait_for_text(log_path(), "OTLP delivery failing", 30s)) << log();
  EXPECT_NE(log().find(closed.url()), std::string::npos) << log();
  ASSERT_EQ(::kill(daemon->pid(), SIGTERM), 0);
  EXPECT_GE(daemon->wait(30s), 0) << log();
  EXPECT_NE(log().find("not delivered by shutdown"), std::string::npos) << log();
}

TEST_F(ExportDown, AReceiverThatNeverAnswersDoesNotHoldShutdown) {
  const LoopbackPort silent(true);
  auto daemon = start(silent.url());
  ASSERT_TRUE(wait_for_text(log_path(), "collecting every", 30s)) << log();
  std::this_thread::sleep_for(2s);  // a request is in flight, unanswered
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(daemon->pid(), SIGTERM), 0);
  EXPECT_GE(daemon->wait(30s), 0) << log();
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  // The export sink's 5 s for the queue, then the request is cancelled
  // within a second, not after its 30 s. A busy host adds a little.
  std::printf("[export-down] SIGTERM to exit: %.1f s\n", took);
  EXPECT_LT(took, 12.0) << log();
}

}  // namespace
}  // namespace kpulse::testing
