/* Helpers shared by every kpulse BPF program. */
#ifndef KPULSE_COMMON_H
#define KPULSE_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kpulse_types.h"

#ifndef E2BIG
#define E2BIG 7
#endif
#ifndef EEXIST
#define EEXIST 17
#endif
#ifndef ENOMEM
#define ENOMEM 12
#endif

/* floor(log2(v)) clamped to the histogram; the same rule as
 * kpulse::model::slot_for_ns. Branch-free halving keeps the verifier happy. */
static __always_inline __u32 kp_log2_slot(__u64 v)
{
	__u32 r = 0, shift;

	/* One row per halving step: it reads as the binary search it is. */
	/* clang-format off */
	shift = (v > 0xFFFFFFFFULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	/* clang-format on */
	r |= (v >> 1);
	return r < KP_HIST_SLOTS ? r : KP_HIST_SLOTS - 1;
}

/* n values in the slot of `placed_ns`, adding `sum_ns` to the sum: the one
 * place a histogram is written. */
static __always_inline void kp_hist_add(struct kp_hist *h, __u64 placed_ns, __u32 n, __u64 sum_ns)
{
	/* 64-bit and checked right where it indexes: clang tests a zero-extended
	 * copy of a 32-bit slot and indexes with the original, and the 6.1
	 * verifier does not carry the copy's bound over ("R2 unbounded memory
	 * access"); 6.18's does. */
	__u64 slot = kp_log2_slot(placed_ns);

	barrier_var(slot);
	if (slot < KP_HIST_SLOTS)
		h->slots[slot] += n;
	h->count += n;
	h->sum_ns += sum_ns;
}

/* n values totalling total_ns (n > 1: sizes unknown, in the slot of their
 * mean, so the count and the sum stay exact). */
static __always_inline void kp_hist_record_n(struct kp_hist *h, __u64 total_ns, __u32 n)
{
	if (n)
		kp_hist_add(h, total_ns / n, n, total_ns);
}

/* One wait of length `lasted` whose sum counts `counted` (the kernel's
 * figure for it, which can read less: see sched.bpf.c). */
static __always_inline void kp_hist_record_placed(struct kp_hist *h, __u64 lasted, __u64 counted)
{
	kp_hist_add(h, lasted, 1, counted);
}

/* One value (n = 1: the division and the test fold away when inlined). */
static __always_inline void kp_hist_record(struct kp_hist *h, __u64 ns)
{
	kp_hist_record_n(h, ns, 1);
}

/* Per-group counters (events handled, map-full refusals): one PERCPU_ARRAY
 * per object, so counting costs an array index and no lock. */
#define KP_DEFINE_COUNTERS                                                                         \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                                           \
		__uint(max_entries, KP_CNT_MAX);                                                   \
		__type(key, __u32);                                                                \
		__type(value, __u64);                                                              \
	} kp_counters SEC(".maps");                                                                \
	static __always_inline void kp_count_n(__u32 which, __u64 n)                               \
	{                                                                                          \
		__u64 *c = bpf_map_lookup_elem(&kp_counters, &which);                              \
		if (c)                                                                             \
			*c += n;                                                                   \
	}                                                                                          \
	static __always_inline void kp_count(__u32 which)                                          \
	{                                                                                          \
		kp_count_n(which, 1);                                                              \
	}

/* Look a key up in a (per-CPU) hash map, creating a zeroed value on first
 * use. A full map is counted (KP_CNT_MAP_FULL) rather than silently lost. */
#define KP_DEFINE_LOOKUP_OR_INIT(name, map, key_t, val_t)                                          \
	static __always_inline val_t *name(const key_t *key)                                       \
	{                                                                                          \
		val_t *v = bpf_map_lookup_elem(&map, key);                                         \
		if (v)                                                                             \
			return v;                                                                  \
		static const val_t zero;                                                           \
		long err = bpf_map_update_elem(&map, key, &zero, BPF_NOEXIST);                     \
		if (err && err != -EEXIST) {                                                       \
			kp_count(KP_CNT_MAP_FULL);                                                 \
			return 0;                                                                  \
		}                                                                                  \
		return bpf_map_lookup_elem(&map, key);                                             \
	}

/* The cgroup v2 id of a socket's owner: what bpf_get_current_cgroup_id()
 * returns for the task that created it. Works in softirq context. */
static __always_inline __u64 kp_sock_cgroup_id(const struct sock *sk)
{
	struct cgroup *cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);

	if (!cg)
		return 0;
	return BPF_CORE_READ(cg, kn, id);
}

/* The cgroup v2 id of a task (not necessarily current). */
static __always_inline __u64 kp_task_cgroup_id(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

#endif /* KPULSE_COMMON_H */
