// Test helper: runs a peer (prometheus, the node OTLP receiver) as a child
// process, reads its stdout, and always kills and reaps it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace kpulse::exporters::testing {

class PeerProcess {
 public:
  // Starts argv[0] (looked up in PATH) with stdin and stdout as pipes and
  // stderr to `stderr_path` (empty: inherited). Throws std::runtime_error.
  PeerProcess(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {},
              const std::filesystem::path& stderr_path = {});
  ~PeerProcess();  // SIGTERM, then SIGKILL after 5 s; always waits
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  // One line of stdout (without '\n'); throws on timeout or EOF.
  std::string read_line(std::chrono::milliseconds timeout);
  [[nodiscard]] bool running();
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffered_;
  bool reaped_ = false;
};

// Runs a command to completion; returns its exit status (-1 if it could not run).
int run_command(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                const std::filesystem::path& log_path);

// A loopback TCP port that was free a moment ago.
int free_loopback_port();

// A fresh directory under the system temp dir, removed with everything in it
// on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Full file contents ("" if missing).
std::string read_file(const std::filesystem::path& p);

}  // namespace kpulse::exporters::testing
