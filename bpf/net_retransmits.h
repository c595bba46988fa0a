/* SPDX-License-Identifier: GPL-2.0 */
/* The net group's retransmit programs, included by net.bpf.c after its
 * per-cgroup map and sock_stats().
 *
 * RetransSegs is what users compare with, and the kernel keeps the same
 * count per socket: __tcp_retransmit_skb adds each retransmission's segments
 * to RetransSegs and to the socket's tcp_sock.total_retrans in one place. So
 * the programs charge the growth of total_retrans since the socket's last
 * event rather than the segments of the skb in hand. Counting the skb alone
 * fell 45 to 90 segments (one or two 64 KiB trains) short of RetransSegs in
 * about 1 run in 15 on a loaded host, with no recursion misses and no full
 * map (GroundTruth.TcpRetransmitsMatchRetransSegs; on the Firecracker hosts
 * this was measured on, no program runs while PID 1's threads are current,
 * which a retransmit timer firing on one of them would fit), and 6.1's
 * tracepoint never fires for a retransmission the kernel counted but failed
 * to send. With the socket's own total, whatever the tracepoint missed is
 * charged at the socket's next retransmission or when it closes.
 *
 * What a socket has been charged up to lives in socket-local storage, made
 * at its first traced retransmission from the total before it (earlier
 * ones are not charged). Where the tracepoint has no `err` (before 6.9) it
 * misses retransmissions that were counted but not sent, and a socket's
 * first one missed so would fall under that baseline (vmtest stood 7 short
 * of RetransSegs once). There kp_retransmits_from_start keeps each
 * connection's total from its start (SYN_SENT, or a listener's child
 * reaching ESTABLISHED) in kp_sock_start until its first traced
 * retransmission, whose storage starts from it, or its close, which charges
 * what it retransmitted untraced. Costs per connection, BENCHMARKS.md
 * "tcp.retransmits from the connection's start": the hash about 0.75 us, a
 * socket storage made at the start 2.3 us; an fexit on __tcp_retransmit_skb,
 * which would see every attempt for nothing, attaches on Debian's 6.1 but
 * never fires: it is inlined into its callers there. A connection the full
 * hash has no room for is counted in self.map_full and charged as a socket
 * older than kpulse. The kernel frees the storage with the socket; it is
 * deleted at close, where tcp_disconnect may restart total_retrans from 0
 * for the next connection. Where storage cannot be had (raw_tp, no memory)
 * the skb's own segments are charged as before. */
#ifndef KPULSE_NET_RETRANSMITS_H
#define KPULSE_NET_RETRANSMITS_H

#define KP_TCP_CLOSE 7

/* Set by userspace before load where tcp_retransmit_skb has no `err`. */
const volatile bool kp_retransmits_from_start = false;

struct kp_sock_retrans {
	__u32 charged; /* total_retrans already charged to the cgroup */
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct kp_sock_retrans);
} kp_sock_retrans SEC(".maps");

/* Where kp_retransmits_from_start is set: each open connection's
 * total_retrans when it started, keyed by socket, until its first traced
 * retransmission or its close. Preallocated: an update and a delete per
 * connection cost a third of a socket storage made for each. Sized by
 * userspace (one entry where the flag is off). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u32);
} kp_sock_start SEC(".maps");

/* Segments, as the kernel's RetransSegs counts them: a retransmitted skb
 * carries tcp_skb_pcount() of them, several when it was built for GSO. */
static __always_inline __u32 retransmitted_segs(const struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = (const void *)skb->cb;
	__u16 segs = 0;

	BPF_CORE_READ_INTO(&segs, cb, tcp_gso_segs);
	return segs ? segs : 1;
}

static __always_inline __u32 total_retrans(const struct sock *sk)
{
	return BPF_CORE_READ((const struct tcp_sock *)sk, total_retrans);
}

/* Atomic: a program of another hook on this CPU (a socket closing in a
 * softirq) may add to the same cell between a load and a store. */
static __always_inline int add_retransmits(const struct sock *sk, __u32 segs)
{
	struct kp_net_cgroup *s;

	if (!segs)
		return 0;
	s = sock_stats(sk);
	if (s)
		__sync_fetch_and_add(&s->retransmits, segs);
	return 0;
}

/* A socket's retransmitted segments since `since`. A total below it would
 * mean the socket restarted its count unseen: nothing rather than 4 billion. */
static __always_inline __u32 growth(__u32 since, __u32 total)
{
	__u32 delta = total - since;

	return (__s32)delta < 0 ? 0 : delta;
}

/* The socket's retransmitted segments not charged yet; marks them charged. */
static __always_inline __u32 uncharged(struct kp_sock_retrans *r, __u32 total)
{
	__u32 delta = growth(r->charged, total);

	r->charged = total;
	return delta;
}

/* One retransmission attempt; `counted` says whether the kernel added its
 * segments to RetransSegs (and total_retrans) before the tracepoint. A
 * socket's storage starts from its total at the start where that was kept,
 * else just below its total: its first event charges its own segments. */
static __always_inline int on_retransmit(const struct sock *sk, const struct sk_buff *skb,
					 bool counted)
{
	__u32 segs = counted ? retransmitted_segs(skb) : 0;
	__u32 total = total_retrans(sk);
	struct kp_sock_retrans fresh = {.charged = total - segs};
	struct kp_sock_retrans *r;
	__u64 key = (__u64)sk;
	__u32 *start;

	r = bpf_sk_storage_get(&kp_sock_retrans, (struct sock *)sk, 0, 0);
	if (!r) {
		if (kp_retransmits_from_start) {
			start = bpf_map_lookup_elem(&kp_sock_start, &key);
			if (start) {
				fresh.charged = *start;
				bpf_map_delete_elem(&kp_sock_start, &key);
			}
		}
		r = bpf_sk_storage_get(&kp_sock_retrans, (struct sock *)sk, &fresh,
				       BPF_SK_STORAGE_GET_F_CREATE);
	}
	return add_retransmits(sk, r ? uncharged(r, total) : segs);
}

/* A connection starts: everything it retransmits from now on is charged,
 * traced or not. */
static __always_inline void start_retransmits(const struct sock *sk)
{
	__u64 key = (__u64)sk;
	__u32 total = total_retrans(sk);

	if (bpf_map_update_elem(&kp_sock_start, &key, &total, BPF_ANY))
		kp_count(KP_CNT_MAP_FULL);
}

/* At close, what the socket retransmitted since its last traced event. */
static __always_inline void settle_retransmits(const struct sock *sk)
{
	struct kp_sock_retrans *r = bpf_sk_storage_get(&kp_sock_retrans, (struct sock *)sk, 0, 0);
	__u64 key = (__u64)sk;
	__u32 segs, *start;

	if (!r) {
		if (!kp_retransmits_from_start)
			return;
		/* Retransmissions counted, none traced: all of them since the
		 * start. */
		start = bpf_map_lookup_elem(&kp_sock_start, &key);
		if (!start)
			return;
		segs = growth(*start, total_retrans(sk));
		bpf_map_delete_elem(&kp_sock_start, &key);
		add_retransmits(sk, segs);
		return;
	}
	/* A Fast Open child got storage in SYN_RECV, before its start. */
	if (kp_retransmits_from_start)
		bpf_map_delete_elem(&kp_sock_start, &key);
	segs = uncharged(r, total_retrans(sk));
	bpf_sk_storage_delete(&kp_sock_retrans, (struct sock *)sk);
	add_retransmits(sk, segs);
}

/* A TCP socket's state change (tp_btf only: storage needs BTF). A child's
 * start is taken at ESTABLISHED, not at its SYN_RECV birth: after that,
 * tcp_create_openreq_child sets its total_retrans to the SYN-ACKs resent,
 * which were charged as they were sent. */
static __always_inline void retransmits_on_state(const struct sock *sk, int oldstate, int newstate)
{
	if (newstate == KP_TCP_CLOSE)
		settle_retransmits(sk);
	else if (kp_retransmits_from_start &&
		 (newstate == KP_TCP_SYN_SENT ||
		  (oldstate == KP_TCP_SYN_RECV && newstate == KP_TCP_ESTABLISHED)))
		start_retransmits(sk);
}

/* 6.1's form: fires only for retransmissions that were sent. */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(kp_tcp_retransmit_skb, const struct sock *sk, const struct sk_buff *skb)
{
	return on_retransmit(sk, skb, true);
}

/* Without BTF there is no socket storage: the skb's own segments. */
SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(kp_tcp_retransmit_skb_raw, const struct sock *sk, const struct sk_buff *skb)
{
	return add_retransmits(sk, retransmitted_segs(skb));
}

/* Errors that __tcp_retransmit_skb returns before it adds the segments to
 * RetransSegs: the original still sits in a host queue (-EBUSY), no window
 * or socket memory (-EAGAIN), trimming or fragmenting failed (-ENOMEM), a
 * stale skb (-EINVAL), no route at rebuild_header (-EHOSTUNREACH). Errors
 * from the transmit itself (a firewall's -EPERM, a full qdisc's -ENOBUFS)
 * come after the count, and RetransSegs keeps those segments. uapi errno
 * values are the same on every architecture Linux runs BPF on. Only a
 * socket's first event depends on this list: later ones read the total. */
enum {
	KP_EAGAIN = 11,
	KP_ENOMEM = 12,
	KP_EBUSY = 16,
	KP_EINVAL = 22,
	KP_EHOSTUNREACH = 113
};

static __always_inline bool retransmit_was_not_sent(int err)
{
	return err == -KP_EBUSY || err == -KP_EAGAIN || err == -KP_ENOMEM || err == -KP_EINVAL ||
	       err == -KP_EHOSTUNREACH;
}

/* Newer kernels fire the tracepoint for every attempt and pass how it
 * ended. */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(kp_tcp_retransmit_skb_err, const struct sock *sk, const struct sk_buff *skb, int err)
{
	return on_retransmit(sk, skb, !retransmit_was_not_sent(err));
}

/* RetransSegs also counts SYN-ACKs a listener sent again (one segment each);
 * the tracepoint fires only for those actually sent. A Fast Open child
 * socket (still SYN_RECV) adds such a SYN-ACK to its own total_retrans too:
 * mark it charged so its next event does not charge it again. */
SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(kp_tcp_retransmit_synack, const struct sock *sk, const struct request_sock *req)
{
	struct kp_sock_retrans *r;

	if (BPF_CORE_READ(sk, __sk_common.skc_state) == KP_TCP_SYN_RECV) {
		r = bpf_sk_storage_get(&kp_sock_retrans, (struct sock *)sk, 0, 0);
		if (r)
			r->charged++;
	}
	return add_retransmits(sk, 1);
}

#endif
