#include "probes/group_specs.h"

#include <time.h>

#include <fstream>

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

// Whether this thread's own schedstat counts its runs ("run_ns wait_ns
// runs"): the kernel fills sched_info (before 5.14 only with delay
// accounting or schedstats switched on).
bool kernel_fills_sched_info() {
  std::ifstream in("/proc/thread-self/schedstat");
  unsigned long long run_ns = 0, wait_ns = 0, runs = 0;
  return static_cast<bool>(in >> run_ns >> wait_ns >> runs) && runs > 0;
}

// sched_switch can read what a task waited on run queues from the kernel's
// own per-task total (CONFIG_SCHED_INFO's sched_info.run_delay).
bool rq_stamps(const KernelFeatures& f) {
  return f.has_field("task_struct", "sched_info.run_delay") && kernel_fills_sched_info();
}

// A wakeup hook, needed only where the kernel keeps no run-queue stamps.
Candidate wakeup(const char* program, const char* tracepoint) {
  Candidate c = tp_btf(program, tracepoint);
  c.available = [tp = std::string(tracepoint)](const KernelFeatures& f) {
    return !rq_stamps(f) && f.has_tracepoint(tp);
  };
  c.requirement = std::string("tracepoint ") + tracepoint +
                  " and no run-queue stamps in the kernel (here sched_switch reads them)";
  return c;
}

std::vector<std::string> sched_reads(const KernelFeatures& f) {
  std::vector<std::string> out;
  if (rq_stamps(f))
    out.push_back(
        "run-queue delay: task_struct.sched_info.run_delay growth between a task's "
        "switch-outs (the kernel's schedstat wait)");
  else
    out.push_back(
        "run-queue delay: own stamps at sched_wakeup/sched_wakeup_new and preemption "
        "(the kernel lacks sched_info.run_delay or leaves it unset)");
  out.push_back("on-CPU time: task_struct.se.sum_exec_runtime growth between switch-outs");
  out.push_back("major faults: task_struct.maj_flt growth between switch-outs");
  out.push_back("run-queue length: se.cfs_rq->rq->nr_running at each switch");
  return out;
}

uint64_t monotonic_now_ns() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ULL + uint64_t(ts.tv_nsec);
}

GroupSpec sched_group(const MapLimits& limits, bool per_process) {
  return {"sched",
          kpulse_sched__elf_bytes,
          {
              {"sched_switch", {tp_btf("kp_sched_switch", "sched_switch")}},
              {"sched_wakeup", {wakeup("kp_sched_wakeup", "sched_wakeup")}},
              {"sched_wakeup_new", {wakeup("kp_sched_wakeup_new", "sched_wakeup_new")}},
              {"sched_process_exit", {tp_btf("kp_sched_process_exit", "sched_process_exit")}},
          },
          {{"kp_sched_cgroups", limits.cgroups}, {"kp_sched_procs", limits.processes}},
          {{"kp_per_process", [per_process](const KernelFeatures&) { return per_process; }},
           {"kp_rq_stamps", [](const KernelFeatures& f) { return rq_stamps(f); }},
           {"kp_loaded_ns", [](const KernelFeatures&) { return monotonic_now_ns(); }}},
          sched_reads};
}

// Since 6.9 a request's start and issue stamps come from the plug's cached
// time and are equal for most requests: splitting queue from device time
// then needs our own stamp at issue.
bool request_stamps_cached(const KernelFeatures& f) {
  return f.has_field("blk_plug", "cur_ktime");
}

// Before 6.5 (no block_io_start) a request issued directly is never
// inserted: its submitter is seen at issue only.
bool issue_names_submitter(const KernelFeatures& f) {
  return !f.has_tracepoint("block_io_start");
}

Candidate issue(std::string program, Rung rung) {
  Candidate c = rung == Rung::TpBtf ? tp_btf(std::move(program), "block_rq_issue")
                                    : raw_tp(std::move(program), "block_rq_issue");
  c.available = [](const KernelFeatures& f) {
    return (request_stamps_cached(f) || issue_names_submitter(f)) &&
           f.has_tracepoint("block_rq_issue");
  };
  c.requirement =
      "tracepoint block_rq_issue, and request stamps from the plug's cached time (6.9+) or no "
      "block_io_start (before 6.5); here the request's stamps and block_io_start suffice";
  return c;
}

std::vector<std::string> block_reads(const KernelFeatures& f) {
  std::vector<std::string> out;
  if (request_stamps_cached(f))
    out.push_back(
        "queue and device latency: own stamp at block_rq_issue against "
        "request.start_time_ns (plug-cached since 6.9) and the completion time; "
        "request.io_start_time_ns where the issue was not seen");
  else
    out.push_back(
        "queue latency: request.io_start_time_ns - request.start_time_ns; device latency: "
        "completion time - request.io_start_time_ns (0 without queue statistics: unknown)");
  out.push_back(
      "bytes, op, disk: block_rq_complete's nr_bytes, request.cmd_flags, request.q->disk");
  out.push_back(issue_names_submitter(f)
                    ? "cgroup: the submitter's, taken at block_rq_insert, or at block_rq_issue "
                      "for a request issued directly"
                    : "cgroup: the submitter's, taken at block_io_start");
  return out;
}

GroupSpec block_group(const MapLimits& limits) {
  return {
      "block",
      kpulse_block__elf_bytes,
      {
          {"request_start",
           {tp_btf("kp_block_io_start", "block_io_start"),
            tp_btf("kp_block_rq_insert", "block_rq_insert"),
            raw_tp("kp_block_rq_insert_raw", "block_rq_insert")}},
          {"block_rq_issue",
           {issue("kp_block_rq_issue", Rung::TpBtf), issue("kp_block_rq_issue_raw", Rung::RawTp)}},
          {"block_rq_complete",
           {tp_btf("kp_block_rq_complete", "block_rq_complete"),
            raw_tp("kp_block_rq_complete_raw", "block_rq_complete")}},
      },
      {{"kp_requests", limits.requests}, {"kp_block_cgroups", limits.cgroups}},
      {{"kp_issue_stamp", [](const KernelFeatures& f) { return request_stamps_cached(f); }}},
      block_reads};
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
          {},
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
      {},
      {}};
}

}  // namespace

std::vector<GroupSpec> builtin_groups(const MapLimits& limits, bool per_process) {
  return {sched_group(limits, per_process), block_group(limits), net_group(limits),
          mem_group(limits)};
}

}  // namespace kpulse::probes
