/* Structures shared by bpf/profile.bpf.c, bpf/offcpu.bpf.c and userspace/profile/:
 * one layout. */
#ifndef KPULSE_PROFILE_H
#define KPULSE_PROFILE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Frames kept per stack: the kernel's own PERF_MAX_STACK_DEPTH. */
#define KP_PROFILE_MAX_DEPTH 127

/* One aggregation bucket: samples of one process in one cgroup with one
 * kernel stack and one user stack. A stack id < 0 is the helper's error
 * (-EFAULT: no stack of that kind, e.g. a kernel thread's user stack;
 * -EEXIST: hash collision in the stack map; -ENOMEM: stack map full). */
struct kp_profile_key {
	__u64 cgroup_id;
	__u32 tgid;
	__s32 kernel_stack;
	__s32 user_stack;
	__u32 pad;
	/* The sampled user IP when the user stack could not be stored: the
	 * leaf function is still known. 0 otherwise. */
	__u64 user_ip;
};

/* `value`: samples (on-CPU, profile.bpf.c) or nanoseconds blocked
 * (off-CPU, offcpu.bpf.c). */
struct kp_profile_value {
	__u64 value;
	char comm[16];
};

#endif /* KPULSE_PROFILE_H */
