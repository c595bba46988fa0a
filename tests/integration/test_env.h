// Real-environment fixtures for the integration tests: cgroups, processes
// placed in them, loop devices and network namespaces. Each object removes
// what it created when it goes out of scope.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/snapshot.h"

namespace kpulse::testing {

// Skips the test (or fails it when KPULSE_REQUIRE_BPF=1) unless this process
// may load BPF programs. Use as: KPULSE_REQUIRE_BPF_OR_SKIP();
std::string bpf_unavailable_reason();
#define KPULSE_REQUIRE_BPF_OR_SKIP()                                                        \
  do {                                                                                      \
    std::string why_ = ::kpulse::testing::bpf_unavailable_reason();                         \
    if (!why_.empty()) {                                                                    \
      if (::kpulse::testing::bpf_required()) FAIL() << "KPULSE_REQUIRE_BPF=1 but " << why_; \
      GTEST_SKIP() << why_;                                                                 \
    }                                                                                       \
  } while (0)
bool bpf_required();

// How much slower than native this machine runs (KPULSE_TEST_TIME_SCALE,
// default 1; vmtest/run sets it under CPU emulation). Time limits that stand
// for "quickly" are multiplied by it; nothing else is.
double time_scale();
std::chrono::milliseconds scaled(std::chrono::milliseconds limit);

// Runs a shell command, returns its exit status; output to `out` if given.
int run(const std::string& cmd, std::string* out = nullptr);
bool have_command(const std::string& name);

// A file's whole content ("" when unreadable), and a wait until it contains
// `text` (true) or `timeout` passes (false): for daemons' logs.
std::string slurp(const std::string& path);
bool wait_for_text(const std::string& path, const std::string& text, std::chrono::seconds timeout);

// A cgroup v2 directory made for one test, under the cgroup2 mount.
class TestCgroup {
 public:
  explicit TestCgroup(const std::string& name);
  ~TestCgroup();
  TestCgroup(const TestCgroup&) = delete;
  TestCgroup& operator=(const TestCgroup&) = delete;
  [[nodiscard]] const std::string& path() const { return rel_; }  // as kpulse names it
  [[nodiscard]] const std::string& dir() const { return dir_; }   // absolute directory
  void kill_all() const;

 private:
  std::string dir_, rel_;
};

// A child running `argv` (through /bin/sh -c when given one string), moved
// into `cgroup` before exec so everything it does is charged there.
class Child {
 public:
  Child(const std::string& shell_command, const TestCgroup* cgroup, const std::string& netns = "");
  // A forked copy of this process running `body` (its return value is the
  // exit status), in `cgroup` and inside network namespace `netns` when given:
  // workloads written in C++ need no interpreter on the host or in vmtest.
  Child(const std::function<int()>& body, const TestCgroup* cgroup, const std::string& netns = "");
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // Waits for exit; returns the exit status, or -1 on timeout (then kills it).
  int wait(std::chrono::seconds timeout);
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// A loop device over a sparse file of `mib` MiB.
class LoopDevice {
 public:
  // `direct_io`: requests reach the backing file's disk instead of the page
  // cache, so a storm queues as on a real disk whatever memory the host has
  // free (buffered, the queue depth of the same fio run varied 5 to 17).
  explicit LoopDevice(int mib, bool direct_io = false);
  ~LoopDevice();
  [[nodiscard]] const std::string& device() const { return device_; }  // "/dev/loop3"
  [[nodiscard]] std::string name() const;                              // "loop3"

 private:
  std::string file_, device_;
};

// A network namespace joined to the host by a veth pair:
// host side `host_ip`/24, namespace side `ns_ip`/24.
class VethNamespace {
 public:
  VethNamespace(const std::string& tag, const std::string& host_ip, const std::string& ns_ip);
  ~VethNamespace();
  [[nodiscard]] const std::string& name() const { return ns_; }
  // Runs a command inside the namespace.
  int exec(const std::string& cmd, std::string* out = nullptr) const;

 private:
  std::string ns_, host_if_;
};

// Two network namespaces joined by a veth pair, nothing in this process's
// namespace: traffic between them shows in their counters only.
class NamespacePair {
 public:
  NamespacePair(const std::string& tag, const std::string& a_ip, const std::string& b_ip);
  ~NamespacePair();
  NamespacePair(const NamespacePair&) = delete;
  NamespacePair& operator=(const NamespacePair&) = delete;
  [[nodiscard]] const std::string& a() const { return a_; }
  [[nodiscard]] const std::string& b() const { return b_; }

 private:
  void remove() const;
  std::string a_, b_;
};

// Helpers on snapshots.
const model::Component* find_component(const model::Snapshot& s, model::ComponentKind kind,
                                       const std::string& id);
double delta_of(const model::Snapshot& s, model::ComponentKind kind, const std::string& id,
                model::MetricId metric);
// Sum of a counter's deltas over several snapshots for one component.
double delta_sum(const std::vector<model::Snapshot>& snaps, model::ComponentKind kind,
                 const std::string& id, model::MetricId metric);

}  // namespace kpulse::testing
