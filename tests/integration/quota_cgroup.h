// A cgroup with a CPU quota for the tuning tests, in every hierarchy kpulse
// reads (cgroup2 alone, or the unified tree plus the v1 cpu and cpuacct
// hierarchies). Removed, its processes killed, when it goes out of scope.
#pragma once

#include <string>
#include <vector>

namespace kpulse::testing {

// A file's content without trailing whitespace (knob values).
std::string read_trimmed(const std::string& path);
// True when the cpu controller is on cgroup2 (a v2-only host).
bool v2_cpu();

class QuotaCgroup {
 public:
  QuotaCgroup(const std::string& rel, long quota_us);
  ~QuotaCgroup();
  QuotaCgroup(const QuotaCgroup&) = delete;
  QuotaCgroup& operator=(const QuotaCgroup&) = delete;
  // A shell prefix that moves the shell into this cgroup before it execs.
  [[nodiscard]] std::string enter() const;
  [[nodiscard]] std::string quota() const { return read_trimmed(quota_file_); }
  [[nodiscard]] const std::string& original() const { return original_; }
  [[nodiscard]] const std::string& rel() const { return rel_; }

 private:
  std::string rel_, quota_file_, original_;
  std::vector<std::string> dirs_;
};

}  // namespace kpulse::testing
