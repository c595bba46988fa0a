#include "otlp_receiver.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

namespace kpulse::exporters::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

const fs::path kReceiverDir = fs::path(KPULSE_SOURCE_DIR) / "tests/peers/otlp-receiver";

std::vector<std::string> receiver_args(const fs::path& out, std::vector<std::string> extra,
                                       int port) {
  std::vector<std::string> a{"node",       "receiver.js", "--out",
                             out.string(), "--port",      std::to_string(port)};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

}  // namespace

void ensure_receiver_installed() {
  const fs::path marker =
      kReceiverDir / "node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js";
  const int lock = open((kReceiverDir / "package.json").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(lock, 0);
  flock(lock, LOCK_EX);
  if (!fs::exists(marker)) {
    const fs::path log = fs::temp_directory_path() /
                         ("kpulse-otlp-receiver-npm-ci-" + std::to_string(getpid()) + ".log");
    const int rc = run_command({"npm", "ci", "--no-audit", "--no-fund"}, kReceiverDir, log);
    EXPECT_EQ(rc, 0) << "npm ci failed in " << kReceiverDir << ":\n" << read_file(log);
    fs::remove(log);
  }
  flock(lock, LOCK_UN);
  close(lock);
  ASSERT_TRUE(fs::exists(marker)) << "receiver dependencies missing: " << marker;
}

Receiver::Receiver(const fs::path& out, std::vector<std::string> extra, int port)
    : out_(out),
      proc_(receiver_args(out, std::move(extra), port), kReceiverDir, out.string() + ".stderr") {
  try {
    port_ = json::parse(proc_.read_line(30s))["port"].get<int>();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "; receiver stderr:\n" +
                             read_file(out.string() + ".stderr"));
  }
}

std::string Receiver::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::vector<json> Receiver::entries() const {
  std::vector<json> out;
  std::istringstream in(read_file(out_));
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

}  // namespace kpulse::exporters::testing
