// SPDX-License-Identifier: GPL-2.0
/* Measurement only (issue 22g): what a completed request's own fields can
 * stand in for. Per request it compares
 *  - the kernel's issue stamp (request.io_start_time_ns; plug-cached since
 *    6.9) with a stamp taken at block_rq_issue, and
 *  - the request's own cgroup (bio->bi_blkg->blkcg) with the submitter's
 *    cgroup2 id taken at block_io_start.
 * bench/overhead/block_request_check.sh attaches it and prints the sums. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct seen {
	__u64 cgroup_id;
	__u64 issue_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct seen);
} requests SEC(".maps");

/* Sums, by index (the script names them). */
enum {
	N_TIMED,
	N_EQUAL_STAMPS,
	SUM_QUEUE_KERNEL,
	SUM_QUEUE_OWN,
	SUM_DEVICE_KERNEL,
	SUM_DEVICE_OWN,
	SUM_ISSUE_GAP,
	N_GAP_OVER_10US,
	N_UNSEEN,
	N_NO_IO_START,
	N_SAME_CGROUP,
	N_OTHER_CGROUP,
	N_NO_BIO,
	N_BLKCG_ON_CGROUP2,
	N_SUMS,
};
/* Then four histograms of 32 power-of-two microsecond slots: queue time
 * from the kernel's stamps, from ours, device time from the kernel's, ours. */
#define HIST_BASE 16
__u64 sums[HIST_BASE + 4 * 32];

__noinline int record(__u32 hist, __u64 ns)
{
	__u64 v = ns / 1000;
	__u32 slot = 0, i;

	/* One row per halving step, as kp_log2_slot (bpf/kpulse_common.h). */
	/* clang-format off */
	if (v >> 16) { v >>= 16; slot += 16; }
	if (v >> 8) { v >>= 8; slot += 8; }
	if (v >> 4) { v >>= 4; slot += 4; }
	if (v >> 2) { v >>= 2; slot += 2; }
	/* clang-format on */
	if (v >> 1)
		slot += 1;
	i = HIST_BASE + hist * 32 + slot;
	if (i < HIST_BASE + 4 * 32)
		__sync_fetch_and_add(&sums[i], 1);
	return 0;
}

static __always_inline void add(int i, __u64 v)
{
	__sync_fetch_and_add(&sums[i], v);
}

SEC("tp_btf/block_io_start")
int BPF_PROG(check_start, struct request *rq)
{
	__u64 k = (__u64)rq;
	struct seen s = {.cgroup_id = bpf_get_current_cgroup_id()};

	bpf_map_update_elem(&requests, &k, &s, BPF_ANY);
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(check_issue, struct request *rq)
{
	__u64 k = (__u64)rq;
	struct seen *s = bpf_map_lookup_elem(&requests, &k);

	if (s)
		s->issue_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(check_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	__u64 k = (__u64)rq, now = bpf_ktime_get_ns();
	__u64 start = rq->start_time_ns, io = rq->io_start_time_ns, issue, gap;
	struct seen *p, s;
	struct bio *bio;
	struct cgroup *cg;

	if (nr_bytes < rq->__data_len)
		return 0; /* a partial completion: the request goes on */
	p = bpf_map_lookup_elem(&requests, &k);
	if (!p || !p->issue_ns) {
		add(N_UNSEEN, 1);
		if (p)
			bpf_map_delete_elem(&requests, &k);
		return 0;
	}
	s = *p;
	bpf_map_delete_elem(&requests, &k);

	bio = BPF_CORE_READ(rq, bio);
	if (!bio || !BPF_CORE_READ(bio, bi_blkg)) {
		add(N_NO_BIO, 1);
	} else {
		cg = BPF_CORE_READ(bio, bi_blkg, blkcg, css.cgroup);
		/* cgroup2's root is hierarchy 0 (/proc/PID/cgroup's "0::"). */
		if (BPF_CORE_READ(cg, root, hierarchy_id) == 0)
			add(N_BLKCG_ON_CGROUP2, 1);
		add(BPF_CORE_READ(cg, kn, id) == s.cgroup_id ? N_SAME_CGROUP : N_OTHER_CGROUP, 1);
	}

	if (!io) {
		add(N_NO_IO_START, 1);
		return 0;
	}
	issue = s.issue_ns;
	add(N_TIMED, 1);
	if (io == start)
		add(N_EQUAL_STAMPS, 1);
	add(SUM_QUEUE_KERNEL, io > start ? io - start : 0);
	add(SUM_QUEUE_OWN, issue > start ? issue - start : 0);
	add(SUM_DEVICE_KERNEL, now - io);
	add(SUM_DEVICE_OWN, now - issue);
	gap = io > issue ? io - issue : issue - io;
	add(SUM_ISSUE_GAP, gap);
	if (gap > 10000)
		add(N_GAP_OVER_10US, 1);
	record(0, io > start ? io - start : 0);
	record(1, issue > start ? issue - start : 0);
	record(2, now - io);
	record(3, now - issue);
	return 0;
}
