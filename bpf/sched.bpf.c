// SPDX-License-Identifier: GPL-2.0
/* kpulse sched group: run-queue latency, on-CPU time, context switches,
 * run-queue length, major faults (sampled at switch) and process exits.
 *
 * Hot path: sched_switch, alone. Where the kernel keeps its schedstat
 * counters (CONFIG_SCHED_INFO, checked at load) the task leaving the CPU
 * says what it waited and ran since it last left: the growth of its own
 * sched_info.run_delay (the wait before this run, however many run queues
 * it was queued on) and of se.sum_exec_runtime. So no wakeup hook runs and
 * the next task is not touched: one task's local storage, the per-CPU array
 * and that task's cgroup entry per switch. Without the counters the wakeup
 * hooks and the next task's local storage keep the enqueue time instead
 * (kp_rq_stamps false).
 *
 * The previous task's local storage keeps what the kernel does not (its
 * baselines, the counts not yet folded into its process's entry); the
 * per-process hash is touched only every few switches of a thread. Nothing
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
	__u64 cgroup_id;    /* own stamps only: cgroup at the last switch-out */
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

/* Accounts the task leaving the CPU: on-CPU time, switch kind, faults.
 * Returns its cgroup's stats (0 for the idle task) so that a next task in the
 * same cgroup reuses them instead of a second hash lookup; *cgid_out is set. */
static __always_inline struct kp_sched_cgroup *account_prev(struct task_struct *prev,
							     struct kp_sched_cpu *pc,
							     __u64 *cgid_out)
{
	struct task_info *ti;
	struct kp_sched_cgroup *cs;
	__u64 cgid, ran, waited = 0, maj, dmaj = 0;
	bool involuntary, fresh, born_since;

	if (prev->pid == 0) /* the idle task */
		return 0;
	ti = bpf_task_storage_get(&kp_task, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ti)
		return 0;
	fresh = !ti->seen;
	born_since = prev->start_time >= kp_loaded_ns;
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

	/* current is still prev inside the sched_switch tracepoint. */
	cgid = bpf_get_current_cgroup_id();
	/* Own stamps only: remembered for its next switch-in, where the task's
	 * storage is read anyway. */
	if (!kp_rq_stamps)
		ti->cgroup_id = cgid;
	*cgid_out = cgid;
	cs = cgroup_stats(&cgid);
	/* A wait of 0 is a sample too (a woken task that preempted the running
	 * one: the kernel skipped the clock update); a first sighting is not. */
	if (kp_rq_stamps && (!fresh || born_since)) {
		if (pc)
			kp_hist_record(&pc->runq_latency, waited);
		if (cs)
			kp_hist_record(&cs->runq_latency, waited);
	}
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

/* Own stamps only: the task getting the CPU, its run-queue latency (with
 * the kernel's counters the wait is read at the task's switch-out). */
static __always_inline void account_next(struct task_struct *next, struct kp_sched_cpu *pc,
					 __u64 prev_cgid, struct kp_sched_cgroup *prev_cs)
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
	 * old one for this one sample; its next switch-out corrects the cache. */
	cgid = ti->cgroup_id ? ti->cgroup_id : kp_task_cgroup_id(next);
	cs = (prev_cs && cgid == prev_cgid) ? prev_cs : cgroup_stats(&cgid);
	if (cs)
		kp_hist_record(&cs->runq_latency, lat);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(kp_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct kp_sched_cpu *pc = this_cpu_stats();
	struct rq *rq = task_rq(next);
	struct kp_sched_cgroup *prev_cs;
	__u64 prev_cgid = 0;

	if (!rq)
		rq = task_rq(prev);
	if (pc) {
		pc->switches++;
		pc->nr_running_sum += rq ? rq->nr_running : 0;
	}
	prev_cs = account_prev(prev, pc, &prev_cgid);
	account_next(next, pc, prev_cgid, prev_cs);
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
