// SPDX-License-Identifier: GPL-2.0
/* kpulse off-CPU group: time blocked, by the stack that blocked.
 * One tp_btf program on sched_switch. The task leaving the CPU because it
 * blocks (not preempted, state not running) is stamped in its task storage
 * with the time, its cgroup and its kernel and user stacks (current is
 * still the leaving task inside the tracepoint, so the stack helpers see
 * it). When the task is switched in again, the time since the stamp is
 * added to the bucket of (cgroup, process, kernel stack, user stack), the
 * same buckets as the on-CPU sampler, holding nanoseconds instead of
 * samples. Loaded only by `kpulse profile --mode off-cpu`: it runs on every
 * context switch. */
#include "kpulse_common.h"
#include "kpulse_profile.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_RUNNING 0
#define PF_EXITING 0x00000004

/* Filters written before load; 0 / false: everything. */
const volatile __u32 kp_filter_tgid = 0;
const volatile bool kp_filter_cgroup = false;

struct offcpu_stamp {
	__u64 start_ns; /* 0: not blocked since it was last seen leaving */
	__u64 cgroup_id;
	__u64 user_ip;
	__s32 kernel_stack;
	__s32 user_stack;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct offcpu_stamp);
} kp_offcpu_stamps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 8192);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KP_PROFILE_MAX_DEPTH * sizeof(__u64));
} kp_offcpu_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct kp_profile_key);
	__type(value, struct kp_profile_value);
} kp_offcpu_counts SEC(".maps");

/* Slot 0: the cgroup whose subtree is profiled (with kp_filter_cgroup). */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} kp_offcpu_cgroup SEC(".maps");

KP_DEFINE_COUNTERS

/* The leaving task blocks: remember when, where (its stacks) and in which
 * cgroup. The filters apply here, where current is the task. */
static __always_inline void stamp_blocking(void *ctx, struct task_struct *prev)
{
	struct offcpu_stamp *st;

	if (kp_filter_tgid && prev->tgid != kp_filter_tgid)
		return;
	if (kp_filter_cgroup && bpf_current_task_under_cgroup(&kp_offcpu_cgroup, 0) != 1)
		return;
	st = bpf_task_storage_get(&kp_offcpu_stamps, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return;
	st->cgroup_id = bpf_get_current_cgroup_id();
	st->kernel_stack = bpf_get_stackid(ctx, &kp_offcpu_stacks, 0);
	st->user_stack = bpf_get_stackid(ctx, &kp_offcpu_stacks, BPF_F_USER_STACK);
	st->user_ip = 0;
	if (st->user_stack < 0 && prev->mm) {
		/* Keep the leaf: where the task entered the kernel. */
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(prev);
		__u64 ip = regs ? PT_REGS_IP_CORE(regs) : 0;

		if (ip && ip < 0x800000000000ULL)
			st->user_ip = ip;
	}
	st->start_ns = bpf_ktime_get_ns();
}

/* The arriving task was blocked since its stamp: add the time. */
static __always_inline void account_resumed(struct task_struct *next)
{
	struct kp_profile_key key = {};
	struct kp_profile_value *v;
	struct offcpu_stamp *st;
	__u64 now, blocked;

	st = bpf_task_storage_get(&kp_offcpu_stamps, next, 0, 0);
	if (!st || !st->start_ns)
		return;
	now = bpf_ktime_get_ns();
	blocked = now > st->start_ns ? now - st->start_ns : 0;
	st->start_ns = 0;
	key.cgroup_id = st->cgroup_id;
	key.tgid = next->tgid;
	key.kernel_stack = st->kernel_stack;
	key.user_stack = st->user_stack;
	key.user_ip = st->user_ip;

	v = bpf_map_lookup_elem(&kp_offcpu_counts, &key);
	if (!v) {
		struct kp_profile_value init = {};

		bpf_probe_read_kernel_str(init.comm, sizeof(init.comm), next->comm);
		long err = bpf_map_update_elem(&kp_offcpu_counts, &key, &init, BPF_NOEXIST);
		if (err && err != -EEXIST) {
			kp_count(KP_CNT_MAP_FULL);
			return;
		}
		v = bpf_map_lookup_elem(&kp_offcpu_counts, &key);
		if (!v)
			return;
	}
	__sync_fetch_and_add(&v->value, blocked);
	kp_count(KP_CNT_EVENTS);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(kp_offcpu_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	/* Preempted (or yielding while runnable): it waits for a CPU, not for
	 * an event; the run-queue delay is the sched group's figure. */
	if (!preempt && prev->pid != 0 && (prev->__state & 0xff) != TASK_RUNNING &&
	    !(prev->flags & PF_EXITING))
		stamp_blocking(ctx, prev);
	if (next->pid != 0)
		account_resumed(next);
	return 0;
}
