// SPDX-License-Identifier: GPL-2.0
/* The overhead floor: programs that do nothing, on the hooks kpulse and the
 * libbpf-tools use. Their run_time_ns / run_cnt is what the kernel charges for
 * entering a tp_btf (or cgroup_skb) program at all (trampoline, bpf_stats
 * accounting), so a
 * probe's cost above it is the cost of its own work. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define FLOOR(name, hook)                                                                          \
	SEC("tp_btf/" #hook)                                                                       \
	int BPF_PROG(name)                                                                         \
	{                                                                                          \
		return 0;                                                                          \
	}

FLOOR(fl_sched_switch, sched_switch)
FLOOR(fl_sched_wakeup, sched_wakeup)
FLOOR(fl_sched_wk_new, sched_wakeup_new)
FLOOR(fl_sched_migr, sched_migrate_task)
FLOOR(fl_sched_exit, sched_process_exit)
FLOOR(fl_blk_io_start, block_io_start)
FLOOR(fl_blk_rq_insert, block_rq_insert)
FLOOR(fl_blk_rq_issue, block_rq_issue)
FLOOR(fl_blk_rq_compl, block_rq_complete)
FLOOR(fl_sock_send_len, sock_send_length)
FLOOR(fl_sock_recv_len, sock_recv_length)
FLOOR(fl_inet_sk_state, inet_sock_set_state)

/* kpulse's TCP byte counters run as cgroup_skb programs on the cgroup2 root;
 * their floor lets every packet through and does nothing else. */
SEC("cgroup_skb/egress")
int fl_skb_egress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup_skb/ingress")
int fl_skb_ingress(struct __sk_buff *skb)
{
	return 1;
}
