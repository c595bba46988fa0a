// SPDX-License-Identifier: GPL-2.0
/* kpulse block group: per disk and per cgroup read/write ops and bytes,
 * queue latency (request start to issue), device latency (issue to
 * completion) and errors.
 *
 * Both latencies come from the stamps the kernel keeps in the request
 * (start_time_ns, io_start_time_ns), read once at completion. Since 6.9 those
 * two stamps come from the plug's cached time and are equal for most
 * requests, so there (kp_issue_stamp, decided at load) block_rq_issue takes
 * its own stamp to split queue from device time. The submitting cgroup is the
 * one thing the request does not carry: it is taken where the request is
 * created (block_io_start, in the submitter's context) or, on kernels before
 * 6.5, where it is inserted or, if issued directly, issued. What a request carries between its hooks lives
 * in a slot of a fixed array picked by hashing the request's address: the
 * verifier inlines array lookups, so a slot costs a few loads and one
 * compare-and-swap to claim and one to release, where a hash entry costs a
 * locked insert, two lookups and a locked delete. A request whose slot is
 * taken by another in flight falls back to the hash. */
#include "kpulse_common.h"

char LICENSE[] SEC("license") = "GPL";

#define REQ_OP_MASK 0xff
#define KP_REQ_OP_READ 0
#define KP_REQ_OP_WRITE 1

/* Set by the loader: block_rq_issue is attached and stamps the issue. */
const volatile bool kp_issue_stamp = false;

struct rq_info {
	__u64 cgroup_id; /* the submitter's; 0 if unseen */
	__u64 issue_ts;  /* own issue stamp (kp_issue_stamp); 0 if unseen */
};

/* The request owning the slot (0: free) and what it carries. */
struct rq_slot {
	__u64 rq;
	struct rq_info info;
};

/* A power of two, so the slot index is a shift of a multiplicative hash;
 * many times the requests a host keeps in flight, so collisions are rare. */
#define KP_RQ_SLOT_BITS 13

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << KP_RQ_SLOT_BITS);
	__type(key, __u32);
	__type(value, struct rq_slot);
} kp_request_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct rq_info);
} kp_requests SEC(".maps");

/* Per (disk, cgroup): one lookup per completion where a map per disk and
 * one per cgroup took two. Sized by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4608);
	__type(key, struct kp_block_key);
	__type(value, struct kp_block_stats);
} kp_block_io SEC(".maps");

KP_DEFINE_COUNTERS
KP_DEFINE_LOOKUP_OR_INIT(io_stats, kp_block_io, struct kp_block_key, struct kp_block_stats)

/* Kernels before 5.17 kept the disk in the request itself. */
struct request___old {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

/* `btf` is a constant per call site: true in tp_btf programs, whose arguments
 * are BTF-typed and can be loaded directly, false in raw_tp ones, which need
 * bpf_probe_read_kernel() (one helper call per BPF_CORE_READ hop). The branch
 * not taken is compiled out. */
static __always_inline __u32 request_dev(struct request *rq, const bool btf)
{
	struct gendisk *disk;

	if (btf && bpf_core_field_exists(rq->q->disk)) {
		disk = rq->q->disk;
		return disk ? (disk->major << 20) | disk->first_minor : 0;
	}
	if (bpf_core_field_exists(rq->q->disk))
		disk = BPF_CORE_READ(rq, q, disk);
	else
		disk = BPF_CORE_READ((struct request___old *)rq, rq_disk);
	if (!disk)
		return 0;
	/* The kernel's internal dev_t encoding: MKDEV(major, minor). */
	return (BPF_CORE_READ(disk, major) << 20) | BPF_CORE_READ(disk, first_minor);
}

/* A number that differs between requests in flight, for picking a slot.
 * tp_btf arguments are trusted pointers and the verifier refuses any math
 * on them but the difference of two pointers, a scalar: the request's
 * offset from its queue. Requests of different queues may share it; the
 * slot records the request itself, so that only costs a collision. */
static __always_inline __u64 request_spread(struct request *rq, const bool btf)
{
	__u64 spread;

	if (!btf)
		return (__u64)rq;
	spread = (__u64)rq - (__u64)rq->q;
	barrier_var(spread);
	return spread;
}

/* Fibonacci hashing: requests sit a few hundred bytes apart in the tag set's
 * pages, the multiplication carries those low-order differences to the top
 * bits the index is taken from. */
static __always_inline struct rq_slot *slot_of(struct request *rq, const bool btf)
{
	__u32 idx = (request_spread(rq, btf) * 0x9E3779B97F4A7C15ULL) >> (64 - KP_RQ_SLOT_BITS);

	return bpf_map_lookup_elem(&kp_request_slots, &idx);
}

/* What rq carries, if it holds the slot. The kernel orders a request's own
 * hooks (start before issue before completion), so only the owner ever
 * writes the slot's record. */
static __always_inline struct rq_info *owned(struct rq_slot *slot, __u64 rq)
{
	return slot && slot->rq == rq ? &slot->info : 0;
}

/* Takes the slot for rq if it is free or still held by rq itself: a request
 * freed without completing (merged into another) keeps its slot until its
 * address, one of the tag set's preallocated requests, starts again. */
static __always_inline struct rq_info *claim(struct rq_slot *slot, __u64 rq)
{
	__u64 owner;

	if (!slot)
		return 0;
	owner = __sync_val_compare_and_swap(&slot->rq, 0, rq);
	return owner == 0 || owner == rq ? &slot->info : 0;
}

/* A full barrier after the record was read: the next owner may write it
 * as soon as the slot reads free. */
static __always_inline void release(struct rq_slot *slot, __u64 rq)
{
	__sync_val_compare_and_swap(&slot->rq, rq, 0);
}

static __always_inline int on_start(struct request *rq, const bool btf)
{
	__u64 key = (__u64)rq;
	struct rq_info info = {
		.cgroup_id = bpf_get_current_cgroup_id(),
	};
	struct rq_info *held = claim(slot_of(rq, btf), key);

	if (held) {
		*held = info;
		return 0;
	}
	if (bpf_map_update_elem(&kp_requests, &key, &info, BPF_ANY))
		kp_count(KP_CNT_MAP_FULL);
	return 0;
}

SEC("tp_btf/block_io_start")
int BPF_PROG(kp_block_io_start, struct request *rq)
{
	return on_start(rq, true);
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(kp_block_rq_insert, struct request *rq)
{
	return on_start(rq, true);
}

SEC("raw_tp/block_rq_insert")
int BPF_PROG(kp_block_rq_insert_raw, struct request *rq)
{
	return on_start(rq, false);
}

/* Attached where the kernel's own stamps cannot split queue from device time
 * (kp_issue_stamp), and before 6.5, where a request issued directly is never
 * inserted: the issuer is then its submitter. */
static __always_inline int on_issue(struct request *rq, const bool btf)
{
	__u64 key = (__u64)rq;
	struct rq_slot *slot = slot_of(rq, btf);
	struct rq_info *info = owned(slot, key);

	if (!info)
		info = bpf_map_lookup_elem(&kp_requests, &key);
	if (!info) {
		struct rq_info fresh = {
			.cgroup_id = bpf_get_current_cgroup_id(),
		};

		info = claim(slot, key);
		if (info) {
			*info = fresh;
		} else if (bpf_map_update_elem(&kp_requests, &key, &fresh, BPF_ANY)) {
			kp_count(KP_CNT_MAP_FULL);
			return 0;
		} else {
			info = bpf_map_lookup_elem(&kp_requests, &key);
		}
	}
	if (info && kp_issue_stamp)
		info->issue_ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(kp_block_rq_issue, struct request *rq)
{
	return on_issue(rq, true);
}

SEC("raw_tp/block_rq_issue")
int BPF_PROG(kp_block_rq_issue_raw, struct request *rq)
{
	return on_issue(rq, false);
}

/* One completion as the stats take it. */
struct done {
	__u64 queue_ns;  /* both meaningful only when timed */
	__u64 device_ns;
	__u32 bytes;
	__u32 op;
	bool last;       /* the request's final completion */
	bool timed;      /* queue_ns and device_ns are known */
	int error;
};

static __always_inline void account(struct kp_block_stats *s, const struct done *d)
{
	if (d->op == KP_REQ_OP_READ)
		s->read_bytes += d->bytes;
	else if (d->op == KP_REQ_OP_WRITE)
		s->write_bytes += d->bytes;
	if (!d->last)
		return;
	if (d->op == KP_REQ_OP_READ)
		s->read_ops++;
	else if (d->op == KP_REQ_OP_WRITE)
		s->write_ops++;
	if (d->error)
		s->errors++;
	if (!d->timed) {
		s->untimed++;
		return;
	}
	kp_hist_record(&s->queue_latency, d->queue_ns);
	kp_hist_record(&s->device_latency, d->device_ns);
}

/* Queue and device time of a request completing now: from the request's own
 * stamps, or from our issue stamp where the kernel's are cached (6.9+).
 * False when unknown: io_start_time_ns is 0 on a queue without statistics
 * (QUEUE_FLAG_STATS) and for a flush that was never issued. */
static __always_inline bool split(struct request *rq, const struct rq_info *info, __u64 now,
				  struct done *d, const bool btf)
{
	__u64 start, issue = 0;

	if (!bpf_core_field_exists(rq->io_start_time_ns))
		return false;
	start = btf ? rq->start_time_ns : BPF_CORE_READ(rq, start_time_ns);
	if (kp_issue_stamp && info)
		issue = info->issue_ts;
	if (!issue)
		issue = btf ? rq->io_start_time_ns : BPF_CORE_READ(rq, io_start_time_ns);
	if (!issue || !start || now < issue)
		return false;
	d->queue_ns = issue > start ? issue - start : 0;
	d->device_ns = now - issue;
	return true;
}

static __always_inline int on_complete(struct request *rq, int error, unsigned int nr_bytes,
				       const bool btf)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns();
	__u32 left = btf ? rq->__data_len : BPF_CORE_READ(rq, __data_len);
	struct kp_block_key where = {};
	struct rq_slot *slot = slot_of(rq, btf);
	struct rq_info *held = owned(slot, key), info = {};
	struct kp_block_stats *s;
	struct done d = {
		.bytes = nr_bytes,
		.op = (btf ? rq->cmd_flags : BPF_CORE_READ(rq, cmd_flags)) & REQ_OP_MASK,
		/* Partial completions come first, each with its own bytes. */
		.last = nr_bytes >= left,
		.error = error,
	};

	if (d.last) { /* what the start hook kept, taken back for good */
		if (held) {
			info = *held;
			release(slot, key);
			held = &info;
		} else {
			held = bpf_map_lookup_elem(&kp_requests, &key);
			if (held) {
				info = *held;
				bpf_map_delete_elem(&kp_requests, &key);
				held = &info;
			}
		}
		d.timed = split(rq, held, now, &d, btf);
	} else if (!held) {
		held = bpf_map_lookup_elem(&kp_requests, &key);
	}

	where.dev = request_dev(rq, btf);
	where.cgroup_id = held ? held->cgroup_id : 0;
	s = io_stats(&where);
	if (!s && where.cgroup_id) {
		/* Map full: the disk's totals (which /proc/diskstats checks) come
		 * first, under the unknown cgroup. */
		where.cgroup_id = 0;
		s = io_stats(&where);
	}
	if (s)
		account(s, &d);
	if (d.last)
		kp_count(KP_CNT_EVENTS);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(kp_block_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	return on_complete(rq, error, nr_bytes, true);
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(kp_block_rq_complete_raw, struct request *rq, int error, unsigned int nr_bytes)
{
	return on_complete(rq, error, nr_bytes, false);
}
