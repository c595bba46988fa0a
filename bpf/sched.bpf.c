// SPDX-License-Identifier: GPL-2.0
/* kpulse sched group: run-queue latency, on-CPU time, context switches,
 * run-queue length, major faults (sampled at switch) and process exits.
 *
 * Hot path: sched_switch, alone. Where the kernel keeps its schedstat
 * counters (CONFIG_SCHED_INFO, checked at load) the task leaving the CPU
 * says what it waited and ran since it last left: the growth of its own
 * sched_info.run_delay (the wait before this run, however many run queues
 * it was queued on) and of se.sum_exec_runtime. So no wakeup hook runs and
 * the next task is not touched. Without the counters the wakeup hooks and
 * the next task's local storage keep the enqueue time instead (kp_rq_stamps
 * false).
 *
 * Per switch: the per-CPU array and the leaving task's local storage, which
 * keeps what the kernel does not (its baselines, and the counts and wait
 * samples not yet folded into its cgroup's and process's entries); the two
 * hashes are touched only every few switches of a thread (KP_FOLD_SWITCHES).
 * No helper call but the storage lookup on most switches. Nothing
 * takes a global lock. */
#include "kpulse_common.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_RUNNING 0
#define PF_EXITING 0x00000004

/* Set by the loader before load; the verifier prunes the disabled paths. */
const volatile bool kp_per_process = true;
/* Read the kernel's run-queue delay (true) or stamp wakeups ourselves. */
const volatile bool kp_rq_stamps = false;
/* CLOCK_MONOTONIC when the group was loaded: a task started after it ran
 * only while we watched, so its whole se.sum_exec_runtime is in our figures. */
const volatile __u64 kp_loaded_ns = 0;

struct task_info {
	__u64 wake_ts;      /* own stamps only: enqueue time; 0 when not queued */
	__u64 seen;         /* baselines below taken */
	__u64 runtime;      /* se.sum_exec_runtime at the last switch-out */
	__u64 run_delay;    /* sched_info.run_delay at the last switch-out */
	__u64 last_maj_flt; /* maj_flt at the last switch-out */
	__u64 cgroup_id;    /* cgroup of the pending counts below */
	/* Not yet added to the cgroup's and the process's entries. */
	__u64 pend_oncpu_ns;
	__u64 pend_wait_ns;
	__u64 pend_wait_slots; /* histogram slot of each pending wait, a byte each */
	__u32 pend_waits;
	__u32 pend_major_faults;
	__u32 pend_voluntary;
	__u32 pend_involuntary;
};

/* A thread's counts reach its cgroup's and its process's entries every
 * KP_FOLD_SWITCHES switch-outs, or once KP_FOLD_NS of CPU time or of
 * run-queue wait is pending, whichever comes first, and at once on a major
 * fault, a cgroup move, or when the thread exits. So a cgroup's and a
 * process's figures lag by at most 7 switches, 1 ms of CPU and 1 ms of wait
 * per thread, and the hash lookups (the costliest steps of a switch) run on
 * one switch in eight of a thread that switches often, such as a messaging
 * or pipe workload. A thread switching less often than every 1 ms of CPU or
 * wait folds at every switch, but then switches are rare. The pending waits
 * keep their histogram slots (KP_FOLD_SWITCHES bytes in one word), so the
 * cgroup's histogram is exact, only late. */
#define KP_FOLD_SWITCHES 8
#define KP_FOLD_NS 1000000ULL

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_info);
} kp_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct kp_sched_cgroup);
} kp_sched_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct kp_sched_proc);
} kp_sched_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kp_sched_cpu);
} kp_sched_cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024); /* ~10k exits between two polls */
} kp_exits SEC(".maps");

/* Half the ring: past it the reader is woken at once. */
#define KP_EXITS_WAKE_BYTES (512 * 1024)

KP_DEFINE_COUNTERS
KP_DEFINE_LOOKUP_OR_INIT(cgroup_stats, kp_sched_cgroups, __u64, struct kp_sched_cgroup)
KP_DEFINE_LOOKUP_OR_INIT(proc_stats, kp_sched_procs, __u32, struct kp_sched_proc)

/* This CPU's run queue, for its length, reached through a task's cfs_rq
 * (every task has one under CONFIG_FAIR_GROUP_SCHED; the per-CPU `runqueues`
 * symbol is not in kallsyms unless CONFIG_KALLSYMS_ALL, so a typed ksym is
 * not an option everywhere). Null when unknown. Direct BTF-typed loads:
 * tp_btf arguments are trusted pointers, and each BPF_CORE_READ hop would be
 * a bpf_probe_read_kernel() call. */
static __always_inline struct rq *task_rq(struct task_struct *t)
{
	struct cfs_rq *cfs;

	if (!bpf_core_field_exists(t->se.cfs_rq) ||
	    !bpf_core_field_exists(((struct cfs_rq *)0)->rq))
		return 0;
	cfs = t->se.cfs_rq;
	return cfs ? cfs->rq : 0;
}

static __always_inline struct kp_sched_cpu *this_cpu_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&kp_sched_cpus, &zero);
}

/* Own stamps only: the wakeup hooks mark the enqueue time. */
static __always_inline int on_wakeup(struct task_struct *p)
{
	struct task_info *ti;

	if (kp_rq_stamps)
		return 0;
	ti = bpf_task_storage_get(&kp_task, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ti)
		ti->wake_ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(kp_sched_wakeup, struct task_struct *p)
{
	return on_wakeup(p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(kp_sched_wakeup_new, struct task_struct *p)
{
	return on_wakeup(p);
}

/* Adds a thread's pending counts to its cgroup's entry (ti->cgroup_id) and,
 * with per-process figures, to its process's entry; then clears them. */
static __always_inline void fold(struct task_struct *prev, struct task_info *ti, bool exiting)
{
	__u64 cgid = ti->cgroup_id, slots = ti->pend_wait_slots;
	struct kp_sched_cgroup *cs = cgroup_stats(&cgid);
	struct kp_sched_proc *ps;
	__u32 tgid, n = ti->pend_waits;

	if (cs) {
		cs->oncpu_ns += ti->pend_oncpu_ns;
		cs->voluntary += ti->pend_voluntary;
		cs->involuntary += ti->pend_involuntary;
		cs->major_faults += ti->pend_major_faults;
		cs->runq_latency.count += n;
		cs->runq_latency.sum_ns += ti->pend_wait_ns;
#pragma unroll
		for (int i = 0; i < KP_FOLD_SWITCHES; i++) {
			__u64 slot = (slots >> (8 * i)) & 0xff;

			if (i >= n)
				break;
			barrier_var(slot);
			if (slot < KP_HIST_SLOTS)
				cs->runq_latency.slots[slot]++;
		}
	}
	if (kp_per_process) {
		tgid = prev->tgid;
		/* An exiting task's entry was removed at exit: don't recreate it. */
		if (exiting)
			ps = bpf_map_lookup_elem(&kp_sched_procs, &tgid);
		else
			ps = proc_stats(&tgid);
		if (ps) {
			ps->oncpu_ns += ti->pend_oncpu_ns;
			ps->voluntary += ti->pend_voluntary;
			ps->involuntary += ti->pend_involuntary;
			ps->major_faults += ti->pend_major_faults;
			ps->cgroup_id = cgid;
			if (!ps->comm[0])
				bpf_probe_read_kernel_str(ps->comm, sizeof(ps->comm), prev->comm);
		}
	}
	ti->pend_oncpu_ns = 0;
	ti->pend_wait_ns = 0;
	ti->pend_wait_slots = 0;
	ti->pend_waits = 0;
	ti->pend_major_faults = 0;
	ti->pend_voluntary = 0;
	ti->pend_involuntary = 0;
}

/* The growth of a kernel-kept per-task total since the task's last
 * switch-out. A task first seen now counts whole only if it started after we
 * loaded (before that, part of the total is not ours). */
static __always_inline __u64 growth(__u64 now, __u64 *last, bool fresh, bool born_since)
{
	__u64 d = 0;

	if (!fresh)
		d = now > *last ? now - *last : 0;
	else if (born_since)
		d = now;
	*last = now;
	return d;
}

/* The cgroup v2 id of the task leaving the CPU (current, inside the
 * tracepoint) by direct loads: prev is a trusted tp_btf argument and no
 * helper call is needed. */
static __always_inline __u64 prev_cgroup_id(struct task_struct *prev)
{
	struct css_set *cset = prev->cgroups;
	struct cgroup *cg = cset ? cset->dfl_cgrp : 0;
	struct kernfs_node *kn = cg ? cg->kn : 0;

	return kn ? kn->id : 0;
}

/* Accounts the task leaving the CPU: on-CPU time, switch kind, faults and,
 * with the kernel's counters, the wait before this run. All of it goes to
 * the task's own storage first (see KP_FOLD_SWITCHES). */
static __always_inline void account_prev(struct task_struct *prev, struct kp_sched_cpu *pc)
{
	struct task_info *ti;
	__u64 cgid, ran, waited = 0, maj, dmaj = 0;
	bool involuntary, fresh, born_since, exiting;

	if (prev->pid == 0) /* the idle task */
		return;
	ti = bpf_task_storage_get(&kp_task, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ti)
		return;
	fresh = !ti->seen;
	/* Read once per task: start_time shares no cache line with the fields
	 * the scheduler just touched. */
	born_since = fresh && prev->start_time >= kp_loaded_ns;
	ti->seen = 1;
	/* Brought up to date before the tracepoint (update_curr at dequeue or
	 * put_prev_task). */
	ran = growth(prev->se.sum_exec_runtime, &ti->runtime, fresh, born_since);
	/* The wait before this run: sched_info_arrive added it at switch-in, and
	 * sched_info_dequeue any part spent on a run queue it migrated from. */
	if (kp_rq_stamps && bpf_core_field_exists(prev->sched_info.run_delay))
		waited = growth(prev->sched_info.run_delay, &ti->run_delay, fresh, born_since);
	maj = prev->maj_flt;
	if (ti->last_maj_flt && maj > ti->last_maj_flt)
		dmaj = maj - ti->last_maj_flt;
	ti->last_maj_flt = maj ? maj : 1; /* 1: baseline taken */

	/* Preempted while runnable: it goes straight back on a run queue (the
	 * kernel stamps that itself). */
	involuntary = (prev->__state & 0xff) == TASK_RUNNING;
	if (involuntary && !kp_rq_stamps)
		ti->wake_ts = bpf_ktime_get_ns();
	exiting = prev->flags & PF_EXITING;

	/* Moved to another cgroup: what is pending belongs to the old one. */
	cgid = prev_cgroup_id(prev);
	if (cgid != ti->cgroup_id) {
		if (ti->pend_voluntary + ti->pend_involuntary)
			fold(prev, ti, exiting);
		ti->cgroup_id = cgid;
	}

	ti->pend_oncpu_ns += ran;
	ti->pend_major_faults += dmaj;
	if (involuntary)
		ti->pend_involuntary++;
	else
		ti->pend_voluntary++;
	/* A wait of 0 is a sample too (a woken task that preempted the running
	 * one: the kernel skipped the clock update); a first sighting is not. */
	if (kp_rq_stamps && (!fresh || born_since)) {
		__u32 n = ti->pend_waits;

		if (pc)
			kp_hist_record(&pc->runq_latency, waited);
		if (n < KP_FOLD_SWITCHES) {
			ti->pend_wait_slots |= (__u64)kp_log2_slot(waited) << (8 * n);
			ti->pend_waits = n + 1;
			ti->pend_wait_ns += waited;
		}
	}
	if (exiting || dmaj || ti->pend_voluntary + ti->pend_involuntary >= KP_FOLD_SWITCHES ||
	    ti->pend_oncpu_ns >= KP_FOLD_NS || ti->pend_wait_ns >= KP_FOLD_NS)
		fold(prev, ti, exiting);
}

/* Own stamps only: the task getting the CPU, its run-queue latency (with
 * the kernel's counters the wait is read at the task's switch-out). The
 * cgroup is the one its counts were last pending for. */
static __always_inline void account_next(struct task_struct *next, struct kp_sched_cpu *pc)
{
	struct kp_sched_cgroup *cs;
	struct task_info *ti;
	__u64 lat, cgid, now;

	if (kp_rq_stamps || next->pid == 0)
		return;
	ti = bpf_task_storage_get(&kp_task, next, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ti)
		return;
	now = bpf_ktime_get_ns();
	if (!ti->wake_ts || now < ti->wake_ts)
		return;
	lat = now - ti->wake_ts;
	ti->wake_ts = 0;
	if (pc)
		kp_hist_record(&pc->runq_latency, lat);
	/* A task moved to another cgroup while it slept is attributed to the
	 * old one for this one sample. */
	cgid = ti->cgroup_id ? ti->cgroup_id : kp_task_cgroup_id(next);
	cs = cgroup_stats(&cgid);
	if (cs)
		kp_hist_record(&cs->runq_latency, lat);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(kp_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct kp_sched_cpu *pc = this_cpu_stats();
	struct rq *rq = task_rq(next);

	if (!rq)
		rq = task_rq(prev);
	if (pc) {
		pc->switches++;
		pc->nr_running_sum += rq ? rq->nr_running : 0;
	}
	account_prev(prev, pc);
	account_next(next, pc);
	kp_count(KP_CNT_EVENTS);
	return 0;
}

/* The last thread of a process leaving: report its whole-life totals (a
 * process shorter than the interval is still seen) and drop its map entry
 * so fork churn cannot fill the map. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(kp_sched_process_exit, struct task_struct *p)
{
	struct signal_struct *sig = p->signal;
	struct kp_exit_event *e;
	__u32 tgid = p->tgid;

	if (sig->live.counter != 0)
		return 0; /* other threads still run */
	bpf_map_delete_elem(&kp_sched_procs, &tgid);

	e = bpf_ringbuf_reserve(&kp_exits, sizeof(*e), 0);
	if (!e) {
		kp_count(KP_CNT_MAP_FULL);
		return 0;
	}
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->start_ns = p->start_time;
	e->exit_ns = bpf_ktime_get_ns();
	e->cpu_ns = sig->sum_sched_runtime + p->se.sum_exec_runtime;
	e->major_faults = sig->maj_flt + p->maj_flt;
	e->minor_faults = sig->min_flt + p->min_flt;
	e->read_bytes = sig->ioac.read_bytes + p->ioac.read_bytes;
	e->write_bytes = sig->ioac.write_bytes + p->ioac.write_bytes;
	e->pid = p->pid;
	e->tgid = tgid;
	e->exit_code = p->exit_code;
	e->pad = 0;
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), p->comm);
	/* No wakeup per exit: waking the reader queues an irq_work, a self-IPI
	 * that in a VM traps to the hypervisor (10-15 us per exit measured). The
	 * reader polls every 100 ms; it is woken only when the ring fills up. */
	bpf_ringbuf_submit(e, bpf_ringbuf_query(&kp_exits, BPF_RB_AVAIL_DATA) > KP_EXITS_WAKE_BYTES
				      ? BPF_RB_FORCE_WAKEUP
				      : BPF_RB_NO_WAKEUP);
	kp_count(KP_CNT_EVENTS);
	return 0;
}
