// The hook ladder on the real verifier: a rejected program is reported with
// the verifier's words, its hook falls back to the next rung, and the other
// hooks of the group keep running.
#include <bpf/bpf.h>

#include <thread>

#include <gtest/gtest.h>

#include "kpulse_ladder_test.skel.h"
#include "probes/group_specs.h"
#include "probes/probe_group.h"
#include "test_env.h"

namespace kpulse::testing {
namespace {

using namespace std::chrono_literals;

TEST(HookLadder, RejectedProgramIsReportedAndItsHookFallsBack) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  probes::KernelFeatures features;
  probes::GroupSpec spec{
      "ladder",
      kpulse_ladder_test__elf_bytes,
      {
          {"sched_wakeup",
           {probes::tp_btf("bad_wakeup", "sched_wakeup"),
            probes::raw_tp("good_wakeup_raw", "sched_wakeup")}},
          {"sched_switch", {probes::tp_btf("good_switch", "sched_switch")}},
          {"missing", {probes::tp_btf("good_switch", "kpulse_no_such_tracepoint")}},
      },
      {},
      {}};
  engine::GroupStatus status;
  probes::LoadedGroup group(spec, features, status);
  ASSERT_TRUE(group.active()) << status.reason;
  ASSERT_EQ(status.hooks.size(), 3u);

  const auto& wakeup = status.hooks[0];
  EXPECT_TRUE(wakeup.attached);
  EXPECT_EQ(wakeup.rung, "raw_tp");
  EXPECT_EQ(wakeup.program, "good_wakeup_raw");
  EXPECT_NE(wakeup.error.find("verifier rejected"), std::string::npos) << wakeup.error;
  EXPECT_NE(wakeup.error.find("invalid mem access"), std::string::npos) << wakeup.error;

  EXPECT_TRUE(status.hooks[1].attached);
  EXPECT_EQ(status.hooks[1].rung, "tp_btf");
  EXPECT_FALSE(status.hooks[2].attached);
  EXPECT_NE(status.hooks[2].error.find("kpulse_no_such_tracepoint"), std::string::npos);

  // Both surviving programs run.
  std::this_thread::sleep_for(200ms);
  int fd = group.map_fd("hits");
  ASSERT_GE(fd, 0);
  __u64 wakeups = 0, switches = 0;
  __u32 k = 0;
  bpf_map_lookup_elem(fd, &k, &wakeups);
  k = 1;
  bpf_map_lookup_elem(fd, &k, &switches);
  EXPECT_GT(wakeups, 0u);
  EXPECT_GT(switches, 0u);
}

}  // namespace
}  // namespace kpulse::testing
