// SPDX-License-Identifier: GPL-2.0
/* kpulse profile group: on-CPU stack sampling. A perf_event program runs on
 * every CPU at a fixed frequency (cpu-clock, or cycles where the PMU exists)
 * and counts samples by (cgroup, process, kernel stack, user stack); stacks
 * are kept once each in a stack-trace map. Userspace drains and symbolises. */
#include "kpulse_common.h"
#include "kpulse_profile.h"

char LICENSE[] SEC("license") = "GPL";

/* Filters written before load; 0 / false: everything. */
const volatile __u32 kp_filter_tgid = 0;
const volatile bool kp_filter_cgroup = false;
/* Samples of the idle task are not CPU use: skipped unless asked. */
const volatile bool kp_include_idle = false;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 8192);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KP_PROFILE_MAX_DEPTH * sizeof(__u64));
} kp_profile_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct kp_profile_key);
	__type(value, struct kp_profile_value);
} kp_profile_counts SEC(".maps");

/* Slot 0: the cgroup whose subtree is profiled (with kp_filter_cgroup). */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} kp_profile_cgroup SEC(".maps");

KP_DEFINE_COUNTERS

/* The sampled IP, read from the context at its UAPI layout
 * (bpf_user_pt_regs_t) instead of through vmlinux.h's pt_regs: that field
 * access would be this object's only CO-RE relocation, and with none
 * libbpf loads it without parsing the kernel's BTF (about a fifth of the
 * sampler's start-up CPU). */
#if defined(__TARGET_ARCH_x86)
#define KP_UAPI_IP_SLOT 16 /* struct pt_regs: r15 ... orig_rax, then rip */
#elif defined(__TARGET_ARCH_arm64)
#define KP_UAPI_IP_SLOT 32 /* struct user_pt_regs: regs[31], sp, then pc */
#endif

static __always_inline __u64 sampled_ip(struct bpf_perf_event_data *ctx)
{
#ifdef KP_UAPI_IP_SLOT
	return ((const __u64 *)ctx)[KP_UAPI_IP_SLOT];
#else
	return PT_REGS_IP(&ctx->regs);
#endif
}

SEC("perf_event")
int kp_profile(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct kp_profile_key key = {};
	struct kp_profile_value *v;

	if (!kp_include_idle && (__u32)id == 0)
		return 0;
	if (kp_filter_tgid && tgid != kp_filter_tgid)
		return 0;
	if (kp_filter_cgroup && bpf_current_task_under_cgroup(&kp_profile_cgroup, 0) != 1)
		return 0;

	key.cgroup_id = bpf_get_current_cgroup_id();
	key.tgid = tgid;
	key.kernel_stack = bpf_get_stackid(ctx, &kp_profile_stacks, 0);
	key.user_stack = bpf_get_stackid(ctx, &kp_profile_stacks, BPF_F_USER_STACK);
	if (key.user_stack < 0) {
		/* Keep the leaf: the sampled IP when the CPU was in user mode. */
		__u64 ip = sampled_ip(ctx);

		if (ip && ip < 0x800000000000ULL)
			key.user_ip = ip;
	}

	v = bpf_map_lookup_elem(&kp_profile_counts, &key);
	if (!v) {
		struct kp_profile_value init = {};

		bpf_get_current_comm(init.comm, sizeof(init.comm));
		long err = bpf_map_update_elem(&kp_profile_counts, &key, &init, BPF_NOEXIST);
		if (err && err != -EEXIST) {
			kp_count(KP_CNT_MAP_FULL);
			return 0;
		}
		v = bpf_map_lookup_elem(&kp_profile_counts, &key);
		if (!v)
			return 0;
	}
	__sync_fetch_and_add(&v->value, 1);
	kp_count(KP_CNT_EVENTS);
	return 0;
}
