// Test cgroups with a CPU controller setting (quota or share), in every
// hierarchy kpulse reads (cgroup2 alone, or the unified tree plus the v1
// cpu and cpuacct hierarchies). Removed, their processes killed, when they
// go out of scope.
#pragma once

#include <string>
#include <vector>

namespace kpulse::testing {

// A file's content without trailing whitespace (knob values).
std::string read_trimmed(const std::string& path);
// True when the cpu controller is on cgroup2 (a v2-only host).
bool v2_cpu();

// A cgroup whose CPU knob (`v2_file` on cgroup2, `v1_file` in the v1 cpu
// hierarchy) is set to `v2_value` / `v1_value` at creation.
class CpuCgroup {
 public:
  CpuCgroup(const std::string& rel, const std::string& v2_file, const std::string& v2_value,
            const std::string& v1_file, const std::string& v1_value);
  ~CpuCgroup();
  CpuCgroup(const CpuCgroup&) = delete;
  CpuCgroup& operator=(const CpuCgroup&) = delete;
  // A shell prefix that moves the shell into this cgroup before it execs.
  [[nodiscard]] std::string enter() const;
  // Moves the calling process into this cgroup (for a Child running C++);
  // false when a hierarchy refused it.
  [[nodiscard]] bool join() const;
  [[nodiscard]] std::string knob() const { return read_trimmed(file_); }
  [[nodiscard]] const std::string& original() const { return original_; }
  [[nodiscard]] const std::string& rel() const { return rel_; }

 private:
  std::string rel_, file_, original_;
  std::vector<std::string> dirs_;
};

// A CPU quota of `quota_us` per 100 ms period (cpu.max / cpu.cfs_quota_us).
class QuotaCgroup : public CpuCgroup {
 public:
  QuotaCgroup(const std::string& rel, long quota_us)
      : CpuCgroup(rel, "cpu.max", std::to_string(quota_us) + " 100000", "cpu.cfs_quota_us",
                  std::to_string(quota_us)) {}
  [[nodiscard]] std::string quota() const { return knob(); }
};

// A CPU share: cpu.weight `weight` on cgroup2, cpu.shares weight*1024/100
// on v1 (weight 100 is shares 1024).
class ShareCgroup : public CpuCgroup {
 public:
  ShareCgroup(const std::string& rel, int weight)
      : CpuCgroup(rel, "cpu.weight", std::to_string(weight), "cpu.shares",
                  std::to_string(weight * 1024 / 100)) {}
  [[nodiscard]] std::string share() const { return knob(); }
};

}  // namespace kpulse::testing
