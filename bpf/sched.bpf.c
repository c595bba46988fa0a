// SPDX-License-Identifier: GPL-2.0
/* kpulse sched group: run-queue latency, on-CPU time, context switches,
 * run-queue length, major faults (sampled at switch) and process exits.
 *
 * Hot path: sched_switch. It touches task-local storage (no hash) for both
 * tasks, one per-CPU array, and the per-CPU hashes of the cgroup(s) involved;
 * the per-process hash only every few switches of a thread (its counts wait
 * in the thread's own storage until then). Nothing takes a global lock. */
#include "kpulse_common.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_RUNNING 0
#define PF_EXITING 0x00000004

/* Set by the loader before load; the verifier prunes the disabled paths. */
const volatile bool kp_per_process = true;

struct task_info {
	__u64 wake_ts;      /* enqueue time; 0 when not waiting on a run queue */
	__u64 switch_in_ts; /* when the task last got a CPU */
	__u64 last_maj_flt; /* maj_flt at the last switch-out */
	__u64 cgroup_id;    /* cgroup at the last switch-out; 0 when unknown */
	/* Not yet added to the process's kp_sched_procs entry. */
	__u64 pend_oncpu_ns;
	__u32 pend_voluntary;
	__u32 pend_involuntary;
};

/* A thread's counts reach its process's entry every KP_FOLD_SWITCHES
 * switch-outs or once KP_FOLD_NS of CPU time is pending, whichever comes
 * first, and at once on a major fault or when the thread exits. So a
 * process's figures lag by at most 7 switches and 1 ms per thread, and the
 * per-process hash update (the costliest step of a switch) runs on one
 * switch in eight of a thread that switches often, such as a messaging or
 * pipe workload. */
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

/* Tasks runnable on this CPU's run queue, reached through a fair-class
 * task's cfs_rq (the per-CPU `runqueues` symbol is not in kallsyms unless
 * CONFIG_KALLSYMS_ALL, so a typed ksym is not an option everywhere).
 * Returns 0 when unknown (idle task, no group scheduling). */
static __always_inline __u32 rq_nr_running(struct task_struct *t)
{
	struct cfs_rq *cfs;
	struct rq *rq;

	if (!bpf_core_field_exists(((struct cfs_rq *)0)->rq))
		return 0;
	/* Direct BTF-typed loads: tp_btf arguments are trusted pointers, and
	 * each BPF_CORE_READ hop would be a bpf_probe_read_kernel() call. */
	cfs = t->se.cfs_rq;
	if (!cfs)
		return 0;
	rq = cfs->rq;
	if (!rq)
		return 0;
	return rq->nr_running;
}

static __always_inline struct kp_sched_cpu *this_cpu_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&kp_sched_cpus, &zero);
}

static __always_inline void mark_enqueued(struct task_struct *p, __u64 now)
{
	struct task_info *ti = bpf_task_storage_get(&kp_task, p, 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ti)
		ti->wake_ts = now;
}

static __always_inline int on_wakeup(struct task_struct *p)
{
	struct kp_sched_cpu *pc = this_cpu_stats();

	mark_enqueued(p, bpf_ktime_get_ns());
	if (pc)
		pc->wakeups++;
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

/* Adds a thread's switch-out to its pending counts, and the pending counts
 * to its process's entry when one of the fold conditions above holds. */
static __always_inline void account_process(struct task_struct *prev, struct task_info *ti,
					    __u64 ran, __u64 dmaj, bool involuntary, __u64 cgid)
{
	bool exiting = prev->flags & PF_EXITING;
	struct kp_sched_proc *ps;
	__u32 tgid;

	ti->pend_oncpu_ns += ran;
	if (involuntary)
		ti->pend_involuntary++;
	else
		ti->pend_voluntary++;
	if (!exiting && !dmaj && ti->pend_voluntary + ti->pend_involuntary < KP_FOLD_SWITCHES &&
	    ti->pend_oncpu_ns < KP_FOLD_NS)
		return;
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
		ps->major_faults += dmaj;
		ps->cgroup_id = cgid;
		if (!ps->comm[0])
			bpf_probe_read_kernel_str(ps->comm, sizeof(ps->comm), prev->comm);
	}
	ti->pend_oncpu_ns = 0;
	ti->pend_voluntary = 0;
	ti->pend_involuntary = 0;
}

/* Accounts the task leaving the CPU: on-CPU time, switch kind, faults.
 * Returns its cgroup's stats (0 for the idle task) so that a next task in the
 * same cgroup reuses them instead of a second hash lookup; *cgid_out is set. */
static __always_inline struct kp_sched_cgroup *account_prev(struct task_struct *prev, __u64 now,
							     struct kp_sched_cpu *pc,
							     __u64 *cgid_out)
{
	struct task_info *ti;
	struct kp_sched_cgroup *cs;
	__u64 cgid, ran = 0, maj, dmaj = 0;
	bool involuntary;

	if (prev->pid == 0) /* the idle task */
		return 0;
	ti = bpf_task_storage_get(&kp_task, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ti)
		return 0;
	if (ti->switch_in_ts && now > ti->switch_in_ts)
		ran = now - ti->switch_in_ts;
	ti->switch_in_ts = 0;
	maj = prev->maj_flt;
	if (ti->last_maj_flt && maj > ti->last_maj_flt)
		dmaj = maj - ti->last_maj_flt;
	ti->last_maj_flt = maj ? maj : 1; /* 1: baseline taken */

	/* Preempted while runnable: it goes straight back on a run queue, so
	 * its run-queue latency starts now. */
	involuntary = (prev->__state & 0xff) == TASK_RUNNING;
	if (involuntary)
		ti->wake_ts = now;
	if (pc)
		pc->oncpu_ns += ran;

	/* current is still prev inside the sched_switch tracepoint. */
	cgid = bpf_get_current_cgroup_id();
	/* Remembered for its next switch-in: reading another task's cgroup
	 * costs a pointer walk, this task's own is one helper call. */
	ti->cgroup_id = cgid;
	*cgid_out = cgid;
	cs = cgroup_stats(&cgid);
	if (cs) {
		cs->oncpu_ns += ran;
		cs->major_faults += dmaj;
		if (involuntary)
			cs->involuntary++;
		else
			cs->voluntary++;
	}

	if (kp_per_process)
		account_process(prev, ti, ran, dmaj, involuntary, cgid);
	return cs;
}

/* Accounts the task getting the CPU: its run-queue latency. */
static __always_inline void account_next(struct task_struct *next, __u64 now,
					 struct kp_sched_cpu *pc, __u64 prev_cgid,
					 struct kp_sched_cgroup *prev_cs)
{
	struct task_info *ti;
	__u64 lat, cgid;
	struct kp_sched_cgroup *cs;

	if (next->pid == 0)
		return;
	ti = bpf_task_storage_get(&kp_task, next, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ti)
		return;
	ti->switch_in_ts = now;
	if (!ti->wake_ts || now < ti->wake_ts)
		return;
	lat = now - ti->wake_ts;
	ti->wake_ts = 0;
	if (pc)
		kp_hist_record(&pc->runq_latency, lat);
	/* A task moved to another cgroup while it slept is attributed to the
	 * old one for this one sample; its next switch-out corrects the cache. */
	cgid = ti->cgroup_id;
	if (!cgid)
		cgid = kp_task_cgroup_id(next);
	cs = (prev_cs && cgid == prev_cgid) ? prev_cs : cgroup_stats(&cgid);
	if (cs)
		kp_hist_record(&cs->runq_latency, lat);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(kp_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	struct kp_sched_cpu *pc = this_cpu_stats();

	if (pc) {
		__u32 nr = rq_nr_running(next);

		pc->switches++;
		pc->nr_running_sum += nr ? nr : rq_nr_running(prev);
	}
	struct kp_sched_cgroup *prev_cs;
	__u64 prev_cgid = 0;

	prev_cs = account_prev(prev, now, pc, &prev_cgid);
	account_next(next, now, pc, prev_cgid, prev_cs);
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
