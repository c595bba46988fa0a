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
 * in a slot of a fixed array picked by the request's tag: the
 * verifier inlines array lookups, so a slot costs a few loads and one
 * compare-and-swap to claim and one to release, where a hash entry costs a
 * locked insert, two lookups and a locked delete. A request whose slot is
 * taken by another in flight falls back to the hash. The counts go the same
 * way: a per-CPU cell picked by hashing (disk, cgroup), the hash
 * kp_block_io where the cell counts another pair.
 *
 * Most of these programs' time is memory access, not instructions
 * (bench/overhead/block_variants.py, 22h): both arrays are kept small, so a
 * lookup touches one cache line of memory the kernel maps with large pages,
 * where a hash touches its bucket, its element and the value. */
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

/* A power of two, so the slot index wraps with a mask.
 * 1024 slots of 24 bytes stay under the 32 KiB the kernel allocates for a
 * map from its linearly mapped memory (larger maps are vmalloc'ed, 4 KiB
 * pages): 8192 slots cost io_start 603 ns per request against 398 for 512
 * (22h, same run). Requests beyond that in flight, or colliding, fall back
 * to kp_requests, whose entries `kpulse probes` shows. */
#define KP_RQ_SLOT_BITS 10

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

/* Per CPU, so a cell is written by its own CPU only and needs no lock (a
 * completion nested in an interrupt on that CPU is guarded where a cell is
 * taken); 256 cells of 696 bytes. */
#define KP_BLOCK_CELL_BITS 8
#define KP_CELL_FREE 0
#define KP_CELL_WRITING 2
#define KP_CELL_TAKEN 1

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1 << KP_BLOCK_CELL_BITS);
	__type(key, __u32);
	__type(value, struct kp_block_cell);
} kp_block_cells SEC(".maps");

/* Per cell index, a removed cgroup whose cells userspace has retired (their
 * counts moved to its disks' totals): a CPU whose cell there still names it
 * takes the cell back for the next pair, so cells outlive cgroup churn. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << KP_BLOCK_CELL_BITS);
	__type(key, __u32);
	__type(value, __u64);
} kp_block_cells_retired SEC(".maps");

/* 1 at an index some CPU has taken a cell at: userspace reads only those
 * cells, not every CPU's whole array, each interval. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << KP_BLOCK_CELL_BITS);
	__type(key, __u32);
	__type(value, __u32);
} kp_block_cells_used SEC(".maps");

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

/* The request's slot: its tag (the scheduler's if the queue has one, the
 * driver's otherwise; either is set from allocation to completion) past an
 * offset per hardware queue. A queue's requests are preallocated one per
 * tag, so a request keeps its slot for good and its queue's requests in
 * flight never share one; the tag allocator steps through the tags, so a
 * queue's successive requests touch neighbouring slots, a few cache lines,
 * where a hash of the address spread them over the whole table (io_start
 * 292 -> 157 ns, 22k). Queues whose offsets bring their tags onto the same
 * slot only collide (the slot records the request itself); a flush borrows
 * the tag of the request it flushes and goes to the hash.
 *
 * The offset hashes the hardware queue's address against its request
 * queue's, both in the request's own cache line: tp_btf arguments are
 * trusted pointers and the verifier refuses any math on them but the
 * difference of two pointers, a scalar (q->id and hctx->queue_num would
 * cost two more lines: 182 ns). */
static __always_inline struct rq_slot *slot_of(struct request *rq, const bool btf)
{
	int tag = btf ? rq->internal_tag : BPF_CORE_READ(rq, internal_tag);
	__u64 queue;
	__u32 idx;

	if (tag < 0)
		tag = btf ? rq->tag : BPF_CORE_READ(rq, tag);
	if (btf)
		queue = (__u64)rq->mq_hctx - (__u64)rq->q;
	else
		queue = (__u64)BPF_CORE_READ(rq, mq_hctx) - (__u64)BPF_CORE_READ(rq, q);
	barrier_var(queue);
	/* Fibonacci hashing spreads the queues' offsets over the table. */
	idx = ((queue * 0x9E3779B97F4A7C15ULL) >> (64 - KP_RQ_SLOT_BITS)) + (__u32)tag;
	idx &= (1u << KP_RQ_SLOT_BITS) - 1;
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
 * tag, and so the same preallocated request, starts again. */
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
	__u64 queue_ns; /* both meaningful only when timed */
	__u64 device_ns;
	__u32 bytes;
	__u32 op;
	bool last;  /* the request's final completion */
	bool timed; /* queue_ns and device_ns are known */
	int error;
};

/* Takes `cell` (this CPU's) for `where` from state `from` with a
 * compare-and-swap, so a completion nested on this CPU (an interrupt) while
 * the key is half written sees it busy and goes to the hash instead of
 * matching a torn key. Once per pair and cell. */
static __always_inline struct kp_block_stats *take(struct kp_block_cell *cell, __u32 idx,
						   const struct kp_block_key *where, __u64 from)
{
	__u32 *used = bpf_map_lookup_elem(&kp_block_cells_used, &idx);

	if (__sync_val_compare_and_swap(&cell->state, from, KP_CELL_WRITING) != from)
		return 0;
	if (used && !*used)
		*used = 1;
	if (from != KP_CELL_FREE)
		__builtin_memset(&cell->stats, 0, sizeof(cell->stats));
	cell->key.cgroup_id = where->cgroup_id;
	cell->key.dev = where->dev;
	__sync_lock_test_and_set(&cell->state, KP_CELL_TAKEN);
	return &cell->stats;
}

/* This CPU's cell for `where`, taking it if free or retired; 0 if it counts
 * another (disk, cgroup). */
static __always_inline struct kp_block_stats *cell_of(const struct kp_block_key *where)
{
	__u32 idx = ((where->cgroup_id ^ ((__u64)where->dev << 32)) * 0x9E3779B97F4A7C15ULL) >>
		    (64 - KP_BLOCK_CELL_BITS);
	struct kp_block_cell *cell = bpf_map_lookup_elem(&kp_block_cells, &idx);
	__u64 *retired;

	if (!cell)
		return 0;
	if (cell->state == KP_CELL_FREE)
		return take(cell, idx, where, KP_CELL_FREE);
	if (cell->state != KP_CELL_TAKEN)
		return 0;
	if (cell->key.cgroup_id == where->cgroup_id && cell->key.dev == where->dev)
		return &cell->stats;
	retired = bpf_map_lookup_elem(&kp_block_cells_retired, &idx);
	if (retired && *retired && *retired == cell->key.cgroup_id)
		return take(cell, idx, where, KP_CELL_TAKEN);
	return 0;
}

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
	s = cell_of(&where);
	if (!s)
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
