// The hook ladder on the real verifier: a rejected program is reported with
// the verifier's words, its hook falls back to the next rung, and the other
// hooks of the group keep running.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "kpulse_ladder_test.skel.h"
#include "kpulse_net.skel.h"
#include "kpulse_sched.skel.h"
#include "probes/bpf_totals.h"
#include "probes/group_drain.h"
#include "probes/hook_ladder.h"
#include "probes/net/net_group.h"
#include "probes/probe_group.h"
#include "test_env.h"
#include "udp_peer.h"

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
  probes::GroupStatus status;
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

// The sched group's lower rung, for kernels that keep no per-task run-queue
// wait (no CONFIG_SCHED_INFO): the same program with its own stamps taken at
// the wakeup hooks passes the verifier and yields run-queue samples.
TEST(HookLadder, SchedWithoutTheKernelsRunQueueCountersStampsWakeupsItself) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  probes::KernelFeatures features;
  probes::GroupSpec spec{
      "sched-own-stamps",
      kpulse_sched__elf_bytes,
      {
          {"sched_switch", {probes::tp_btf("kp_sched_switch", "sched_switch")}},
          {"sched_wakeup", {probes::tp_btf("kp_sched_wakeup", "sched_wakeup")}},
          {"sched_wakeup_new", {probes::tp_btf("kp_sched_wakeup_new", "sched_wakeup_new")}},
      },
      {},
      {{"kp_rq_stamps", [](const probes::KernelFeatures&) { return 0; }}},
      {}};
  probes::GroupStatus status;
  probes::LoadedGroup group(spec, features, status);
  ASSERT_TRUE(group.active()) << status.reason;
  for (const auto& h : status.hooks) EXPECT_TRUE(h.attached) << h.hook << ": " << h.error;

  std::thread sleeper([] {
    for (int i = 0; i < 50; ++i) std::this_thread::sleep_for(1ms);  // 50 wakeups
  });
  sleeper.join();
  int fd = group.map_fd("kp_sched_cpus");
  ASSERT_GE(fd, 0);
  std::vector<kp_sched_cpu> per_cpu(libbpf_num_possible_cpus());
  __u32 zero = 0;
  ASSERT_EQ(bpf_map_lookup_elem(fd, &zero, per_cpu.data()), 0);
  __u64 samples = 0;
  for (const auto& c : per_cpu) samples += c.runq_latency.count;
  EXPECT_GE(samples, 50u);
}

// An exit record is sent at the dying task's last switch, by the
// sched_switch program. Where that program was rejected or could not attach,
// sched_process_exit must send it itself, or every exit is lost.
TEST(HookLadder, ExitsAreSentWithoutTheSwitchProgram) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  probes::KernelFeatures features;
  probes::GroupSpec spec{
      "sched-exits-alone",
      kpulse_sched__elf_bytes,
      {{"sched_process_exit", {probes::tp_btf("kp_sched_process_exit", "sched_process_exit")}}},
      {},
      {},
      {}};
  probes::GroupStatus status;
  probes::LoadedGroup group(spec, features, status);
  ASSERT_TRUE(group.active()) << status.reason;
  ASSERT_TRUE(status.hooks.at(0).attached) << status.hooks.at(0).error;

  std::vector<pid_t> children;
  for (int i = 0; i < 5; ++i) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) _exit(0);
    children.push_back(pid);
    waitpid(pid, nullptr, 0);
  }
  std::set<__u32> seen;
  auto on_exit = [](void* ctx, void* data, size_t size) {
    if (size >= sizeof(kp_exit_event))
      static_cast<std::set<__u32>*>(ctx)->insert(static_cast<const kp_exit_event*>(data)->tgid);
    return 0;
  };
  struct ring_buffer* rb = ring_buffer__new(group.map_fd("kp_exits"), on_exit, &seen, nullptr);
  ASSERT_NE(rb, nullptr);
  for (int i = 0; i < 20 && !std::all_of(children.begin(), children.end(),
                                         [&](pid_t c) { return seen.count(__u32(c)); });
       ++i)
    ring_buffer__poll(rb, 100);
  ring_buffer__free(rb);
  for (pid_t c : children) EXPECT_TRUE(seen.count(__u32(c))) << "no exit record for " << c;
}

// The byte ladder's second rung (sock:sock_send_length / sock_recv_length,
// 6.3+), used where no cgroup2 root takes the cgroup_skb programs, counts
// datagrams too: each send call's and each read's byte count, exactly.
TEST(HookLadder, TheSendAndReceiveLengthRungCountsUdpBytes) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  probes::KernelFeatures features;
  if (!features.has_tracepoint("sock_send_length"))
    GTEST_SKIP() << "no sock:sock_send_length tracepoint (before 6.3)";
  probes::GroupSpec spec{
      "net-length-rung",
      kpulse_net__elf_bytes,
      {{"ip_send_bytes", {probes::tp_btf("kp_sock_send_length", "sock_send_length")}},
       {"ip_recv_bytes", {probes::tp_btf("kp_sock_recv_length", "sock_recv_length")}}},
      {},
      {},
      {}};
  probes::GroupStatus status;
  probes::LoadedGroup group(spec, features, status);
  ASSERT_TRUE(group.active()) << status.reason;
  for (const auto& h : status.hooks) ASSERT_TRUE(h.attached) << h.hook << ": " << h.error;

  TestCgroup sender("udplen-send");
  TestCgroup receiver("udplen-recv");
  const int port = 20000 + (getpid() + 11) % 20000;
  constexpr int kDatagrams = 500;
  constexpr std::size_t kSize = 1000;
  std::string error;
  const auto read = udp_exchange(sender, receiver, port, kDatagrams, kSize, error);
  ASSERT_TRUE(read.has_value()) << error;

  auto cgroup_id = [](const TestCgroup& cg) {
    struct stat st {};
    return ::stat(cg.dir().c_str(), &st) == 0 ? __u64(st.st_ino) : __u64(0);
  };
  probes::CgroupTotalsMap totals;
  probes::drain_cgroup_map(group.map_fd("kp_net_cgroups"), totals, &probes::CgroupTotals::net,
                           &probes::CgroupTotals::has_net);
  const kp_net_cgroup sent = totals[cgroup_id(sender)].net;
  const kp_net_cgroup got = totals[cgroup_id(receiver)].net;
  EXPECT_EQ(sent.udp_tx_bytes, __u64(kDatagrams) * kSize);
  EXPECT_EQ(sent.tx_bytes, 0u);  // not TCP
  EXPECT_EQ(got.udp_rx_bytes, *read);
  EXPECT_EQ(got.rx_bytes, 0u);
}

// Which UDP directions the net group reports follows the rung each byte hook
// attached through, as net_spec states it (Candidate::counts_udp): its
// cgroup_skb and sock_*_length rungs count datagrams; on its tcp_sendmsg /
// tcp_cleanup_rbuf rungs alone the UDP counters stay unset, not zero.
TEST(HookLadder, TheNetGroupReportsUdpOnlyFromRungsThatCountIt) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  probes::KernelFeatures features;
  const probes::MapLimits limits;
  // The host's samples from an empty drain: which UDP counters appear.
  auto udp_reported = [&](const probes::GroupSpec& spec) {
    probes::GroupStatus status;
    probes::LoadedGroup loaded(spec, features, status);
    EXPECT_TRUE(loaded.active()) << status.reason;
    std::pair<bool, bool> out{false, false};
    for (auto& group : probes::registered_groups()) {
      if (std::string(group->name()) != "net") continue;
      group->start(loaded, features);
      model::Component host;
      group->add_host_samples(host, probes::CgroupTotals{}, probes::CgroupTotals{});
      out = {host.find(model::MetricId::UdpTxBytes) != nullptr,
             host.find(model::MetricId::UdpRxBytes) != nullptr};
      group->stop();
    }
    return out;
  };
  const probes::GroupSpec full = probes::net_spec(limits);
  {
    probes::GroupStatus status;
    probes::LoadedGroup loaded(full, features, status);
    ASSERT_TRUE(loaded.active()) << status.reason;
    for (const char* hook : {probes::kNetSendHook, probes::kNetRecvHook}) {
      const probes::Candidate* c = loaded.attached(hook);
      ASSERT_NE(c, nullptr) << hook;
      if (c->rung != probes::Rung::CgroupSkb && c->rung != probes::Rung::TpBtf)
        GTEST_SKIP() << hook << " attached through " << c->program << ", a TCP-only rung";
    }
  }
  EXPECT_EQ(udp_reported(full), std::make_pair(true, true));

  probes::GroupSpec tcp_only = full;
  for (auto& h : tcp_only.hooks)
    if (h.hook == probes::kNetSendHook || h.hook == probes::kNetRecvHook)
      std::erase_if(h.candidates, [](const probes::Candidate& c) {
        return c.rung == probes::Rung::CgroupSkb || c.rung == probes::Rung::TpBtf;
      });
  EXPECT_EQ(udp_reported(tcp_only), std::make_pair(false, false));
}

// Whether the kernel's tcp_retransmit_skb tracepoint passes `err`, read from
// its BTF prototype (void *, sk, skb[, err]).
std::optional<bool> retransmit_tracepoint_has_err() {
  struct btf* btf = btf__load_vmlinux_btf();
  if (!btf) return std::nullopt;
  std::optional<bool> has_err;
  const int id = btf__find_by_name_kind(btf, "btf_trace_tcp_retransmit_skb", BTF_KIND_TYPEDEF);
  const struct btf_type* t = id > 0 ? btf__type_by_id(btf, id) : nullptr;  // the typedef
  if (t) t = btf__type_by_id(btf, t->type);                                // a pointer
  if (t) t = btf__type_by_id(btf, t->type);                                // the prototype
  if (t && btf_is_func_proto(t)) has_err = btf_vlen(t) >= 4;
  btf__free(btf);
  return has_err;
}

// A map sized by what the kernel offers: the net group keeps connections'
// starts only where tcp_retransmit_skb has no `err` (before 6.9), and holds
// one entry elsewhere rather than 64 B for each of 65,536 connections.
TEST(HookLadder, TheConnectionStartsMapIsSizedForKernelsThatNeedIt) {
  KPULSE_REQUIRE_BPF_OR_SKIP();
  const auto has_err = retransmit_tracepoint_has_err();
  if (!has_err) GTEST_SKIP() << "no BTF prototype for tcp_retransmit_skb";
  const bool reports_err = *has_err;
  probes::KernelFeatures features;
  probes::MapLimits limits;
  probes::GroupStatus status;
  probes::LoadedGroup group(probes::net_spec(limits), features, status);
  ASSERT_TRUE(group.active()) << status.reason;
  const int fd = group.map_fd("kp_sock_start");
  ASSERT_GE(fd, 0);
  bpf_map_info info{};
  __u32 size = sizeof(info);
  ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &size), 0);
  EXPECT_EQ(info.max_entries, reports_err ? 1u : limits.connections)
      << (reports_err ? "tcp_retransmit_skb reports err" : "tcp_retransmit_skb has no err");
}

}  // namespace
}  // namespace kpulse::testing
