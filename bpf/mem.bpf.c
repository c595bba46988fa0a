// SPDX-License-Identifier: GPL-2.0
/* kpulse mem group: time tasks stall in direct reclaim (global, and memcg
 * reclaim forced by a cgroup's limits) per cgroup, and OOM kills per cgroup.
 * (Major faults per cgroup are sampled by the sched group at context switch,
 * where it already holds the task.) */
#include "kpulse_common.h"

char LICENSE[] SEC("license") = "GPL";

struct reclaim_info {
	__u64 start_ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct reclaim_info);
} kp_reclaim_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct kp_mem_cgroup);
} kp_mem_cgroups SEC(".maps");

KP_DEFINE_COUNTERS
KP_DEFINE_LOOKUP_OR_INIT(cgroup_stats, kp_mem_cgroups, __u64, struct kp_mem_cgroup)

static __always_inline int reclaim_begin(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct reclaim_info *ri =
		bpf_task_storage_get(&kp_reclaim_start, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ri)
		ri->start_ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int reclaim_end(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct reclaim_info *ri = bpf_task_storage_get(&kp_reclaim_start, task, 0, 0);
	__u64 now = bpf_ktime_get_ns(), cgid;
	struct kp_mem_cgroup *s;

	if (!ri || !ri->start_ts || now < ri->start_ts)
		return 0;
	cgid = bpf_get_current_cgroup_id();
	s = cgroup_stats(&cgid);
	if (s) {
		s->reclaim_ns += now - ri->start_ts;
		s->reclaim_events++;
	}
	ri->start_ts = 0;
	kp_count(KP_CNT_EVENTS);
	return 0;
}

SEC("tp_btf/mm_vmscan_direct_reclaim_begin")
int BPF_PROG(kp_direct_reclaim_begin)
{
	return reclaim_begin();
}

SEC("tp_btf/mm_vmscan_direct_reclaim_end")
int BPF_PROG(kp_direct_reclaim_end)
{
	return reclaim_end();
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(kp_memcg_reclaim_begin)
{
	return reclaim_begin();
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(kp_memcg_reclaim_end)
{
	return reclaim_end();
}

static __always_inline int count_oom(__u64 cgid)
{
	struct kp_mem_cgroup *s = cgroup_stats(&cgid);

	if (s)
		s->oom_kills++;
	kp_count(KP_CNT_EVENTS);
	return 0;
}

/* Since 6.8 mark_victim passes the victim task ... */
SEC("tp_btf/mark_victim")
int BPF_PROG(kp_mark_victim, struct task_struct *victim)
{
	return count_oom(kp_task_cgroup_id(victim));
}

/* ... before, only its pid: charge the cgroup that hit the OOM, which for a
 * memcg OOM is the victim's own cgroup or its ancestor. */
SEC("tp_btf/mark_victim")
int BPF_PROG(kp_mark_victim_pid, int pid)
{
	return count_oom(bpf_get_current_cgroup_id());
}
