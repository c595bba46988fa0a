#include "tune_state_test.h"

#include <unistd.h>

#include <filesystem>
#include <thread>

#include "quota_cgroup.h"
#include "test_env.h"

namespace kpulse::testing {

void TuneStateTest::make_state_dir(const std::string& tag) {
  state_ = "/tmp/kpulse-" + tag + "-" + std::to_string(::getpid());
  std::filesystem::remove_all(state_);
  std::filesystem::create_directories(state_);
}

void TuneStateTest::TearDown() {
  if (state_.empty()) return;
  run(std::string(KPULSE_BINARY) + " tune --rollback --state-dir " + state_ + " >/dev/null 2>&1");
  std::filesystem::remove_all(state_);
}

bool TuneStateTest::log_says(const std::string& text) const {
  return wait_until([&] { return read_trimmed(state_ + "/log").find(text) != std::string::npos; },
                    std::chrono::seconds(10));
}

bool wait_until(const std::function<bool()>& cond, std::chrono::seconds limit) {
  auto end = std::chrono::steady_clock::now() + scaled(limit);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return cond();
}

}  // namespace kpulse::testing
