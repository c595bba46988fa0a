#include "probes/group_specs.h"

#include "kpulse_block.skel.h"
#include "kpulse_mem.skel.h"
#include "kpulse_net.skel.h"
#include "kpulse_sched.skel.h"

namespace kpulse::probes {
namespace {

// mark_victim passed a pid before 6.8 and the task since: pick the program
// whose argument matches what this kernel's BTF says.
Candidate mark_victim(const char* program, const char* arg_type) {
  return {program, Rung::TpBtf,
          [arg_type](const KernelFeatures& f) {
            auto t = f.tracepoint_arg_type("mark_victim", 0);
            return t && *t == arg_type;
          },
          std::string("mark_victim(") + arg_type + ")"};
}

// kfree_skb gained the receiving socket in 6.12; with the TCP_LISTEN_OVERFLOW
// drop reason that names the listener whose accept queue overflowed.
bool drops_name_listener(const KernelFeatures& f) {
  auto t = f.tracepoint_arg_type("kfree_skb", 3);
  return t && *t == "struct sock *" &&
         f.enum_value_exists("skb_drop_reason", "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW");
}

Candidate kfree_skb_with_rx_sk() {
  return {"kp_kfree_skb_rx_sk", Rung::TpBtf, drops_name_listener,
          "kfree_skb(..., rx_sk) and drop reason TCP_LISTEN_OVERFLOW"};
}

Candidate listener_fentry(const char* program, const char* function) {
  Candidate c = fentry(program, function);
  c.available = [fn = std::string(function)](const KernelFeatures& f) {
    return !drops_name_listener(f) && f.has_function(fn);
  };
  c.requirement = "BTF function " + std::string(function) +
                  " and a kfree_skb that cannot name the listener (here it can)";
  return c;
}

// The same hook as a kprobe, for kernels whose trampoline refuses the
// function (6.1 fails fentry on tcp_v{4,6}_syn_recv_sock with ENOTSUPP).
Candidate listener_kprobe(const char* program, const char* function) {
  Candidate c = kprobe(program, function);
  c.available = [](const KernelFeatures& f) {
    return !drops_name_listener(f) && f.kprobes_available();
  };
  c.requirement = "kprobe support and a kfree_skb that cannot name the listener (here it can)";
  return c;
}

GroupSpec sched_group(const MapLimits& limits, bool per_process) {
  return {"sched",
          kpulse_sched__elf_bytes,
          {
              {"sched_switch", {tp_btf("kp_sched_switch", "sched_switch")}},
              {"sched_wakeup", {tp_btf("kp_sched_wakeup", "sched_wakeup")}},
              {"sched_wakeup_new", {tp_btf("kp_sched_wakeup_new", "sched_wakeup_new")}},
              {"sched_process_exit", {tp_btf("kp_sched_process_exit", "sched_process_exit")}},
          },
          {{"kp_sched_cgroups", limits.cgroups}, {"kp_sched_procs", limits.processes}},
          {{"kp_per_process", per_process}}};
}

GroupSpec block_group(const MapLimits& limits) {
  return {"block",
          kpulse_block__elf_bytes,
          {
              {"request_start",
               {tp_btf("kp_block_io_start", "block_io_start"),
                tp_btf("kp_block_rq_insert", "block_rq_insert"),
                raw_tp("kp_block_rq_insert_raw", "block_rq_insert")}},
              {"block_rq_issue",
               {tp_btf("kp_block_rq_issue", "block_rq_issue"),
                raw_tp("kp_block_rq_issue_raw", "block_rq_issue")}},
              {"block_rq_complete",
               {tp_btf("kp_block_rq_complete", "block_rq_complete"),
                raw_tp("kp_block_rq_complete_raw", "block_rq_complete")}},
          },
          {{"kp_requests", limits.requests}, {"kp_block_cgroups", limits.cgroups}},
          {}};
}

GroupSpec net_group(const MapLimits& limits) {
  return {"net",
          kpulse_net__elf_bytes,
          {
              {"tcp_send_bytes",
               {cgroup_skb("kp_tcp_egress"), tp_btf("kp_sock_send_length", "sock_send_length"),
                fentry("kp_tcp_sendmsg", "tcp_sendmsg"),
                kprobe("kp_tcp_sendmsg_kretprobe", "tcp_sendmsg")}},
              {"tcp_recv_bytes",
               {cgroup_skb("kp_tcp_ingress"), tp_btf("kp_sock_recv_length", "sock_recv_length"),
                fentry("kp_tcp_cleanup_rbuf", "tcp_cleanup_rbuf"),
                kprobe("kp_tcp_cleanup_rbuf_kprobe", "tcp_cleanup_rbuf")}},
              {"tcp_retransmit_skb",
               {tp_btf("kp_tcp_retransmit_skb", "tcp_retransmit_skb"),
                raw_tp("kp_tcp_retransmit_skb_raw", "tcp_retransmit_skb")}},
              {"tcp_send_reset", {tp_btf("kp_tcp_send_reset", "tcp_send_reset")}},
              {"tcp_receive_reset", {tp_btf("kp_tcp_receive_reset", "tcp_receive_reset")}},
              {"inet_sock_set_state",
               {tp_btf("kp_inet_sock_set_state", "inet_sock_set_state"),
                raw_tp("kp_inet_sock_set_state_raw", "inet_sock_set_state")}},
              {"kfree_skb", {kfree_skb_with_rx_sk(), tp_btf("kp_kfree_skb", "kfree_skb")}},
              // Only where kfree_skb cannot say which listener overflowed.
              {"tcp_conn_request", {listener_fentry("kp_tcp_conn_request", "tcp_conn_request")}},
              {"tcp_v4_syn_recv_sock",
               {listener_fentry("kp_tcp_v4_syn_recv_sock", "tcp_v4_syn_recv_sock"),
                listener_kprobe("kp_tcp_v4_syn_recv_sock_kprobe", "tcp_v4_syn_recv_sock")}},
              {"tcp_v6_syn_recv_sock",
               {listener_fentry("kp_tcp_v6_syn_recv_sock", "tcp_v6_syn_recv_sock"),
                listener_kprobe("kp_tcp_v6_syn_recv_sock_kprobe", "tcp_v6_syn_recv_sock")}},
          },
          {{"kp_net_cgroups", limits.cgroups}},
          {}};
}

GroupSpec mem_group(const MapLimits& limits) {
  return {
      "mem",
      kpulse_mem__elf_bytes,
      {
          {"direct_reclaim_begin",
           {tp_btf("kp_direct_reclaim_begin", "mm_vmscan_direct_reclaim_begin")}},
          {"direct_reclaim_end", {tp_btf("kp_direct_reclaim_end", "mm_vmscan_direct_reclaim_end")}},
          {"memcg_reclaim_begin",
           {tp_btf("kp_memcg_reclaim_begin", "mm_vmscan_memcg_reclaim_begin")}},
          {"memcg_reclaim_end", {tp_btf("kp_memcg_reclaim_end", "mm_vmscan_memcg_reclaim_end")}},
          {"mark_victim",
           {mark_victim("kp_mark_victim", "struct task_struct *"),
            mark_victim("kp_mark_victim_pid", "int")}},
      },
      {{"kp_mem_cgroups", limits.cgroups}},
      {}};
}

}  // namespace

std::vector<GroupSpec> builtin_groups(const MapLimits& limits, bool per_process) {
  return {sched_group(limits, per_process), block_group(limits), net_group(limits),
          mem_group(limits)};
}

}  // namespace kpulse::probes
