// The net group's hooks and ladders.
#include "kpulse_net.skel.h"
#include "probes/net/net_group.h"

namespace kpulse::probes {
namespace {

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

// tcp_retransmit_skb gained `err` when it began to fire for attempts that
// were never sent; those must be skipped to match RetransSegs. The program
// must match the tracepoint's arity (a raw_tp reading a missing argument is
// refused at attach).
bool retransmit_reports_err(const KernelFeatures& f) {
  return f.tracepoint_arg_type("tcp_retransmit_skb", 2).has_value();
}

Candidate retransmit(bool with_err, const char* program, Rung rung) {
  return {program, rung,
          [with_err](const KernelFeatures& f) {
            return f.has_tracepoint("tcp_retransmit_skb") && retransmit_reports_err(f) == with_err;
          },
          with_err ? "tcp_retransmit_skb(sk, skb, err)" : "tcp_retransmit_skb(sk, skb)"};
}

// A byte rung that sees datagrams too: a cgroup_skb program sees every IP
// packet of a socket, sock_send_length / sock_recv_length every send and
// read call's length; tcp_sendmsg and tcp_cleanup_rbuf see TCP only.
Candidate counting_udp(Candidate c) {
  c.counts_udp = true;
  return c;
}

}  // namespace

GroupSpec net_spec(const MapLimits& limits) {
  return {
      "net",
      kpulse_net__elf_bytes,
      {
          {kNetSendHook,
           {counting_udp(cgroup_skb("kp_ip_egress")),
            counting_udp(tp_btf("kp_sock_send_length", "sock_send_length")),
            fentry("kp_tcp_sendmsg", "tcp_sendmsg"),
            kprobe("kp_tcp_sendmsg_kretprobe", "tcp_sendmsg")}},
          {kNetRecvHook,
           {counting_udp(cgroup_skb("kp_ip_ingress")),
            counting_udp(tp_btf("kp_sock_recv_length", "sock_recv_length")),
            fentry("kp_tcp_cleanup_rbuf", "tcp_cleanup_rbuf"),
            kprobe("kp_tcp_cleanup_rbuf_kprobe", "tcp_cleanup_rbuf")}},
          {"tcp_retransmit_skb",
           {retransmit(true, "kp_tcp_retransmit_skb_err", Rung::TpBtf),
            retransmit(false, "kp_tcp_retransmit_skb", Rung::TpBtf),
            retransmit(false, "kp_tcp_retransmit_skb_raw", Rung::RawTp)}},
          {"tcp_retransmit_synack", {tp_btf("kp_tcp_retransmit_synack", "tcp_retransmit_synack")}},
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
      {{"kp_net_cgroups", limits.cgroups},
       {"kp_sock_start",
        [n = limits.connections](const KernelFeatures& f) {
          return retransmit_reports_err(f) ? 1u : n;
        }}},
      // Where the tracepoint misses counted retransmissions that were not
      // sent, charge each connection's from its start (bpf/net_retransmits.h).
      {{"kp_retransmits_from_start",
        [](const KernelFeatures& f) { return uint64_t(!retransmit_reports_err(f)); }}},
      {}};
}

}  // namespace kpulse::probes
