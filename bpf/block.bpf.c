// SPDX-License-Identifier: GPL-2.0
/* kpulse block group: per disk and per cgroup read/write ops and bytes,
 * queue latency (request start to issue), device latency (issue to
 * completion), in-flight requests and errors.
 *
 * The submitting cgroup is taken where the request is created (block_io_start,
 * in the submitter's context) or, on kernels before 6.5, where it is inserted;
 * both latencies are recorded once, at completion, so each request costs one
 * per-request hash entry and one update of each per-CPU stats map. */
#include "kpulse_common.h"

char LICENSE[] SEC("license") = "GPL";

#define REQ_OP_MASK 0xff
#define KP_REQ_OP_READ 0
#define KP_REQ_OP_WRITE 1

struct rq_info {
	__u64 start_ts;  /* created or inserted; 0 if unseen */
	__u64 issue_ts;  /* handed to the driver */
	__u64 cgroup_id;
	__u32 bytes;
	__u32 op;
	__u32 dev;       /* set at issue, so completion needs no pointer walk */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct rq_info);
} kp_requests SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, struct kp_block_stats);
} kp_block_disks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct kp_block_stats);
} kp_block_cgroups SEC(".maps");

KP_DEFINE_COUNTERS
KP_DEFINE_LOOKUP_OR_INIT(disk_stats, kp_block_disks, __u32, struct kp_block_stats)
KP_DEFINE_LOOKUP_OR_INIT(cgroup_stats, kp_block_cgroups, __u64, struct kp_block_stats)

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

static __always_inline int on_start(struct request *rq)
{
	__u64 key = (__u64)rq;
	struct rq_info info = {
		.start_ts = bpf_ktime_get_ns(),
		.cgroup_id = bpf_get_current_cgroup_id(),
	};

	if (bpf_map_update_elem(&kp_requests, &key, &info, BPF_ANY))
		kp_count(KP_CNT_MAP_FULL);
	return 0;
}

SEC("tp_btf/block_io_start")
int BPF_PROG(kp_block_io_start, struct request *rq)
{
	return on_start(rq);
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(kp_block_rq_insert, struct request *rq)
{
	return on_start(rq);
}

SEC("raw_tp/block_rq_insert")
int BPF_PROG(kp_block_rq_insert_raw, struct request *rq)
{
	return on_start(rq);
}

static __always_inline int on_issue(struct request *rq, const bool btf)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns();
	struct rq_info *info = bpf_map_lookup_elem(&kp_requests, &key);
	__u32 bytes = btf ? rq->__data_len : BPF_CORE_READ(rq, __data_len);
	__u32 op = (btf ? rq->cmd_flags : BPF_CORE_READ(rq, cmd_flags)) & REQ_OP_MASK;
	__u32 dev = request_dev(rq, btf);

	if (info) {
		info->issue_ts = now;
		info->bytes = bytes;
		info->op = op;
		info->dev = dev;
	} else {
		/* Issued without a start we saw: attribute to the issuer. */
		struct rq_info fresh = {
			.issue_ts = now,
			.cgroup_id = bpf_get_current_cgroup_id(),
			.bytes = bytes,
			.op = op,
			.dev = dev,
		};
		if (bpf_map_update_elem(&kp_requests, &key, &fresh, BPF_ANY))
			kp_count(KP_CNT_MAP_FULL);
	}

	struct kp_block_stats *ds = disk_stats(&dev);
	if (ds)
		ds->issued++;
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

static __always_inline void account(struct kp_block_stats *s, const struct rq_info *info,
				    __u64 now, int error)
{
	if (info->op == KP_REQ_OP_READ) {
		s->read_ops++;
		s->read_bytes += info->bytes;
	} else if (info->op == KP_REQ_OP_WRITE) {
		s->write_ops++;
		s->write_bytes += info->bytes;
	}
	if (error)
		s->errors++;
	if (info->start_ts && info->issue_ts > info->start_ts)
		kp_hist_record(&s->queue_latency, info->issue_ts - info->start_ts);
	if (info->issue_ts && now > info->issue_ts)
		kp_hist_record(&s->device_latency, now - info->issue_ts);
}

static __always_inline int on_complete(struct request *rq, int error)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns();
	struct rq_info *info = bpf_map_lookup_elem(&kp_requests, &key);
	struct kp_block_stats *s;

	if (!info)
		return 0; /* started before kpulse attached */
	if (!info->issue_ts) {
		bpf_map_delete_elem(&kp_requests, &key);
		return 0;
	}
	s = disk_stats(&info->dev);
	if (s) {
		account(s, info, now, error);
		s->completed++;
	}
	s = cgroup_stats(&info->cgroup_id);
	if (s)
		account(s, info, now, error);
	bpf_map_delete_elem(&kp_requests, &key);
	kp_count(KP_CNT_EVENTS);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(kp_block_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	return on_complete(rq, error);
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(kp_block_rq_complete_raw, struct request *rq, int error, unsigned int nr_bytes)
{
	return on_complete(rq, error);
}
