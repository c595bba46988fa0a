// SPDX-License-Identifier: GPL-2.0
/* kpulse net group: per cgroup TCP bytes, retransmits, opens, connect
 * latency, resets and accept-queue overflows; per listener overflows; packet
 * drops by reason.
 *
 * Counts are charged to the cgroup that owns the socket (sk_cgrp_data), not
 * to whatever task happens to run, because retransmits, resets and incoming
 * connections are handled in softirq context. */
#include "kpulse_common.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define KP_AF_INET 2
#define KP_AF_INET6 10
#define KP_IPPROTO_TCP 6
#define KP_IPPROTO_UDP 17
#define KP_TCP_ESTABLISHED 1
#define KP_TCP_SYN_SENT 2
#define KP_TCP_SYN_RECV 3

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct kp_net_cgroup);
} kp_net_cgroups SEC(".maps");

/* Connect start times, keyed by socket. Connects are rare next to packets. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, __u64);
} kp_connects SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct kp_listener_key);
	__type(value, struct kp_listener_val);
} kp_listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KP_DROP_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} kp_drop_reasons SEC(".maps");

KP_DEFINE_COUNTERS
KP_DEFINE_LOOKUP_OR_INIT(cgroup_stats, kp_net_cgroups, __u64, struct kp_net_cgroup)

static __always_inline struct kp_net_cgroup *sock_stats(const struct sock *sk)
{
	__u64 cgid = sk ? kp_sock_cgroup_id(sk) : 0;

	kp_count(KP_CNT_EVENTS);
	return cgroup_stats(&cgid);
}

/* ---- bytes ---------------------------------------------------------------------
 * First rung: cgroup_skb egress/ingress programs on the cgroup2 root, which
 * see only IP packets of sockets (a Unix-socket or pipe storm costs nothing)
 * and count TCP and UDP payload per packet, TCP retransmissions included. Then
 * sock:sock_send_length / sock_recv_length (6.3+), fired with the byte count
 * of every socket send and receive of any family; then fexit/tcp_sendmsg and
 * fentry/tcp_cleanup_rbuf (TCP only); then kprobes.
 *
 * UDP is counted because a datagram workload (media, DNS, QUIC, iperf3 -u)
 * moves its bytes outside TCP; without it such a cgroup shows no network use
 * at all. */

#define KP_ETH_P_IP 0x0800
#define KP_ETH_P_IPV6 0x86DD
#define KP_UDP_HEADER 8

/* Payload bytes of a TCP or UDP packet at the network header, 0 when it
 * carries none (pure ACKs) or is neither over IPv4 / IPv6 without extension
 * headers. The length is of the whole skb, so a GSO packet counts every
 * segment's payload: it has one header for all of them. */
static __always_inline long l4_payload(struct __sk_buff *skb, __u8 proto)
{
	__u32 l3;
	__u8 b;

	if (skb->protocol == bpf_htons(KP_ETH_P_IP)) {
		if (bpf_skb_load_bytes(skb, 0, &b, 1))
			return 0;
		/* The socket's own protocol: no load of the header's. */
		l3 = (b & 0xf) * 4;
	} else if (skb->protocol == bpf_htons(KP_ETH_P_IPV6)) {
		/* Another next header is an extension header: skipped. */
		if (bpf_skb_load_bytes(skb, 6, &b, 1) || b != proto)
			return 0;
		l3 = 40;
	} else {
		return 0;
	}
	if (l3 < 20)
		return 0;
	if (proto == KP_IPPROTO_UDP)
		return (long)skb->len - l3 - KP_UDP_HEADER;
	if (bpf_skb_load_bytes(skb, l3 + 12, &b, 1))
		return 0;
	return (long)skb->len - l3 - (b >> 4) * 4;
}

/* Always lets the packet through: this program only counts. */
static __always_inline int count_skb(struct __sk_buff *skb, bool sent)
{
	struct bpf_sock *sk = skb->sk;
	struct kp_net_cgroup *s;
	long bytes;
	__u64 cgid;
	__u8 proto;

	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	proto = sk->protocol;
	if (proto != KP_IPPROTO_TCP && proto != KP_IPPROTO_UDP)
		return 1;
	bytes = l4_payload(skb, proto);
	if (bytes <= 0)
		return 1;
	/* The socket owner's cgroup2 id, as kp_sock_cgroup_id() reads it. */
	cgid = bpf_skb_cgroup_id(skb);
	kp_count(KP_CNT_EVENTS);
	s = cgroup_stats(&cgid);
	if (!s)
		return 1;
	if (proto == KP_IPPROTO_UDP) {
		if (sent)
			s->udp_tx_bytes += bytes;
		else
			s->udp_rx_bytes += bytes;
	} else if (sent) {
		s->tx_bytes += bytes;
	} else {
		s->rx_bytes += bytes;
	}
	return 1;
}

SEC("cgroup_skb/egress")
int kp_ip_egress(struct __sk_buff *skb)
{
	return count_skb(skb, true);
}

SEC("cgroup_skb/ingress")
int kp_ip_ingress(struct __sk_buff *skb)
{
	return count_skb(skb, false);
}

/* IPPROTO_TCP or IPPROTO_UDP for an IPv4 / IPv6 socket of either, else 0
 * (the family too: a netlink socket's protocol is another number space). */
static __always_inline __u8 ip_protocol(const struct sock *sk)
{
	__u16 family;
	__u8 proto;

	if (!sk)
		return 0;
	proto = BPF_CORE_READ(sk, sk_protocol);
	if (proto != KP_IPPROTO_TCP && proto != KP_IPPROTO_UDP)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	return family == KP_AF_INET || family == KP_AF_INET6 ? proto : 0;
}

/* Every rung below ends here; `sk` may be NULL when only the sender's own
 * context is known (kretprobe), which charges the current cgroup. */
static __always_inline int count_bytes(const struct sock *sk, long bytes, bool sent, bool udp)
{
	__u64 cgid;
	struct kp_net_cgroup *s;

	if (bytes <= 0)
		return 0;
	if (sk) {
		s = sock_stats(sk);
	} else {
		cgid = bpf_get_current_cgroup_id();
		s = cgroup_stats(&cgid);
	}
	if (!s)
		return 0;
	if (udp) {
		if (sent)
			s->udp_tx_bytes += bytes;
		else
			s->udp_rx_bytes += bytes;
	} else if (sent) {
		s->tx_bytes += bytes;
	} else {
		s->rx_bytes += bytes;
	}
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(kp_sock_send_length, struct sock *sk, int ret)
{
	__u8 proto = ip_protocol(sk);

	return proto ? count_bytes(sk, ret, true, proto == KP_IPPROTO_UDP) : 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(kp_sock_recv_length, struct sock *sk, int ret)
{
	__u8 proto = ip_protocol(sk);

	return proto ? count_bytes(sk, ret, false, proto == KP_IPPROTO_UDP) : 0;
}

SEC("fexit/tcp_sendmsg")
int BPF_PROG(kp_tcp_sendmsg, struct sock *sk, struct msghdr *msg, size_t size, int ret)
{
	return count_bytes(sk, ret, true, false);
}

/* tcp_cleanup_rbuf runs after every read with the bytes copied to the user. */
SEC("fentry/tcp_cleanup_rbuf")
int BPF_PROG(kp_tcp_cleanup_rbuf, struct sock *sk, int copied)
{
	return count_bytes(sk, copied, false, false);
}

/* Kprobe rung for kernels without BPF trampolines. */
SEC("kprobe/tcp_cleanup_rbuf")
int BPF_KPROBE(kp_tcp_cleanup_rbuf_kprobe, struct sock *sk, int copied)
{
	return count_bytes(sk, copied, false, false);
}

SEC("kretprobe/tcp_sendmsg")
int BPF_KRETPROBE(kp_tcp_sendmsg_kretprobe, int ret)
{
	return count_bytes(0, ret, true, false); /* the sender's own context */
}

/* ---- retransmits and resets ------------------------------------------------- */

#include "net_retransmits.h"

static __always_inline int on_reset(const struct sock *sk)
{
	struct kp_net_cgroup *s = sock_stats(sk);

	if (s)
		s->resets++;
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(kp_tcp_send_reset, const struct sock *sk)
{
	return on_reset(sk);
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(kp_tcp_receive_reset, const struct sock *sk)
{
	return on_reset(sk);
}

/* ---- connection opens and connect latency ------------------------------------ */

/* `settle`: socket storage is at hand (tp_btf, not raw_tp). */
static __always_inline int on_state(const struct sock *sk, int oldstate, int newstate, bool settle)
{
	__u64 key = (__u64)sk, now, *start;
	struct kp_net_cgroup *s;

	if (BPF_CORE_READ(sk, sk_protocol) != KP_IPPROTO_TCP)
		return 0;
	if (settle)
		retransmits_on_state(sk, oldstate, newstate);
	if (newstate == KP_TCP_SYN_SENT) {
		now = bpf_ktime_get_ns();
		if (bpf_map_update_elem(&kp_connects, &key, &now, BPF_ANY))
			kp_count(KP_CNT_MAP_FULL);
		return 0;
	}
	if (oldstate == KP_TCP_SYN_SENT) {
		start = bpf_map_lookup_elem(&kp_connects, &key);
		if (newstate == KP_TCP_ESTABLISHED) {
			s = sock_stats(sk);
			if (s) {
				s->active_opens++;
				if (start)
					kp_hist_record(&s->connect_latency,
						       bpf_ktime_get_ns() - *start);
			}
		}
		bpf_map_delete_elem(&kp_connects, &key);
		return 0;
	}
	if (oldstate == KP_TCP_SYN_RECV && newstate == KP_TCP_ESTABLISHED) {
		s = sock_stats(sk);
		if (s)
			s->passive_opens++;
	}
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(kp_inet_sock_set_state, const struct sock *sk, int oldstate, int newstate)
{
	return on_state(sk, oldstate, newstate, true);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(kp_inet_sock_set_state_raw, const struct sock *sk, int oldstate, int newstate)
{
	return on_state(sk, oldstate, newstate, false);
}

/* ---- accept-queue overflows ---------------------------------------------------- */

/* Both places the kernel counts LINUX_MIB_LISTENOVERFLOWS test
 * sk_acceptq_is_full() first thing: a SYN arriving at tcp_conn_request, and
 * the final ACK reaching tcp_v{4,6}_syn_recv_sock. */
static __always_inline int count_listener_overflow(const struct sock *sk)
{
	__u32 limit = BPF_CORE_READ(sk, sk_max_ack_backlog);
	struct kp_listener_key key = {};
	struct kp_listener_val *v, fresh = {};
	struct kp_net_cgroup *s;

	key.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	key.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	key.netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	if (key.family == KP_AF_INET6)
		BPF_CORE_READ_INTO(&key.addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
	else
		BPF_CORE_READ_INTO((__u32 *)key.addr, sk, __sk_common.skc_rcv_saddr);

	v = bpf_map_lookup_elem(&kp_listeners, &key);
	if (!v) {
		fresh.cgroup_id = kp_sock_cgroup_id(sk);
		if (bpf_map_update_elem(&kp_listeners, &key, &fresh, BPF_NOEXIST) == -E2BIG)
			kp_count(KP_CNT_MAP_FULL);
		v = bpf_map_lookup_elem(&kp_listeners, &key);
	}
	if (v) {
		__sync_fetch_and_add(&v->overflows, 1);
		v->backlog = limit;
	}
	s = sock_stats(sk);
	if (s)
		s->listen_overflows++;
	return 0;
}

static __always_inline int on_listener_check(const struct sock *sk)
{
	if (BPF_CORE_READ(sk, sk_ack_backlog) <= BPF_CORE_READ(sk, sk_max_ack_backlog))
		return 0;
	return count_listener_overflow(sk);
}

SEC("fentry/tcp_conn_request")
int BPF_PROG(kp_tcp_conn_request, struct request_sock_ops *rsk_ops,
	     const struct tcp_request_sock_ops *af_ops, struct sock *sk)
{
	return on_listener_check(sk);
}

SEC("fentry/tcp_v4_syn_recv_sock")
int BPF_PROG(kp_tcp_v4_syn_recv_sock, const struct sock *sk)
{
	return on_listener_check(sk);
}

SEC("fentry/tcp_v6_syn_recv_sock")
int BPF_PROG(kp_tcp_v6_syn_recv_sock, const struct sock *sk)
{
	return on_listener_check(sk);
}

/* Kprobe rungs for the two above: on 6.1 the trampoline refuses them
 * (attach fails with ENOTSUPP; both are reached only through
 * icsk_af_ops->syn_recv_sock), kprobes do not. */
SEC("kprobe/tcp_v4_syn_recv_sock")
int BPF_KPROBE(kp_tcp_v4_syn_recv_sock_kprobe, const struct sock *sk)
{
	return on_listener_check(sk);
}

SEC("kprobe/tcp_v6_syn_recv_sock")
int BPF_KPROBE(kp_tcp_v6_syn_recv_sock_kprobe, const struct sock *sk)
{
	return on_listener_check(sk);
}

/* ---- drops by reason ------------------------------------------------------------ */

static __always_inline int on_drop(__u32 reason)
{
	__u64 *c;

	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_CONSUMED) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED))
		return 0; /* not a drop: consumed normally */
	if (reason >= KP_DROP_REASONS)
		reason = KP_DROP_REASONS - 1;
	c = bpf_map_lookup_elem(&kp_drop_reasons, &reason);
	if (c)
		(*c)++;
	return 0;
}

/* Since 6.12 kfree_skb also names the receiving socket: a drop with reason
 * TCP_LISTEN_OVERFLOW then identifies the listener whose accept queue was
 * full, with no need for fentry. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(kp_kfree_skb_rx_sk, struct sk_buff *skb, void *location, int reason,
	     struct sock *rx_sk)
{
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_TCP_LISTEN_OVERFLOW) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason,
					  SKB_DROP_REASON_TCP_LISTEN_OVERFLOW) &&
	    rx_sk)
		count_listener_overflow(rx_sk);
	return on_drop(reason);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(kp_kfree_skb, struct sk_buff *skb, void *location, int reason)
{
	/* Kernels before 5.17 had no reason argument. */
	if (!bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED))
		reason = 0;
	return on_drop(reason);
}
