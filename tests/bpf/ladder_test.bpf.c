// SPDX-License-Identifier: GPL-2.0
/* Test-only object for the hook ladder: one program the verifier must
 * reject (it dereferences a map value without a NULL check), a good fallback
 * on the next rung for the same hook, and a good program on another hook. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* A hash lookup may return NULL (an array lookup with a constant key may
 * not, and recent verifiers know it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} maybe SEC(".maps");

SEC("tp_btf/sched_wakeup")
int BPF_PROG(bad_wakeup, struct task_struct *p)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&maybe, &k);

	return *v; /* no NULL check: rejected */
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(good_wakeup_raw)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&hits, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(good_switch)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&hits, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}
