// The base of the `kpulse tune` integration tests: a state directory of
// their own (journal, logs), everything kpulse changed rolled back from its
// journal after the test whatever the outcome, then the directory removed.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <gtest/gtest.h>

namespace kpulse::testing {

class TuneStateTest : public ::testing::Test {
 protected:
  // A fresh /tmp/kpulse-<tag>-<pid>. Call from SetUp once its skips passed.
  void make_state_dir(const std::string& tag);
  void TearDown() override;
  // Whether the tuner's log (state_/log) says `text` within 10 s: the tuner
  // logs a step after writing its knob, so a test that saw the knob move may
  // be ahead of the line (CI once read the log between the two).
  [[nodiscard]] bool log_says(const std::string& text) const;
  std::string state_;
};

// Polls `cond` every 200 ms until it holds or `limit` (times the machine's
// time scale) passes; returns its last value. Limits are generous: on a
// loaded shared host the collector and the workloads both slow down.
bool wait_until(const std::function<bool()>& cond, std::chrono::seconds limit);

}  // namespace kpulse::testing
