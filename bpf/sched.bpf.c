// SPDX-License-Identifier: GPL-2.0
/* kpulse sched group: run-queue latency (per CPU and per cgroup), run-queue
 * length, which processes ran, and process exits.
 *
 * Per event only what the kernel does not keep. On-CPU time, context
 * switches and major faults are kept by the kernel per task (/proc/PID/stat)
 * and per cgroup (cpu.stat, memory.stat): userspace reads them there for the
 * processes and cgroups this group marks as having run.
 *
 * Hot path: sched_switch, touching the task getting the CPU (and the
 * arrival stamp of the one leaving: a cgroup lookup for slices of 1 ms+;
 * its kernel totals against the baseline of sched_arrivals.h).
 * Where the kernel keeps its schedstat stamps (CONFIG_SCHED_INFO, checked at
 * load) that task's wait is its sched_info.last_queued (set at enqueue, in
 * rq clock; cleared by sched_info_arrive, which runs after the tracepoint)
 * against its run queue's clock, no task storage; the wakeup hooks only mark
 * the clock of the run queue they enqueue on (kp_rq_wake_marks), so a wait
 * the kernel's clock skipped is placed by its real length. A queued
 * task moved to another CPU has its stamp restarted by the kernel:
 * sched_migrate_task adds the part spent on the old queue (the growth of
 * the kernel's run_delay since the task's last switch-in) to the cgroup's
 * total wait; a switch-in no program saw is charged from the same totals
 * (sched_arrivals.h). Without the stamps the wakeup hooks
 * and the tasks' local storage keep the enqueue time instead (kp_rq_stamps
 * false). A cgroup's counts go to this CPU's cell for it (an inlined array
 * lookup), the per-CPU hash only where the cell counts another cgroup.
 * Nothing takes a global lock. */
#include "kpulse_common.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_RUNNING 0

/* Set by the loader before load; the verifier prunes the disabled paths. */
const volatile bool kp_per_process = true;
/* Read the kernel's run-queue stamps (true) or stamp wakeups ourselves. */
const volatile bool kp_rq_stamps = false;

/* Own stamps only. */
struct task_info {
	__u64 wake_ts; /* enqueue time; 0 when not queued */
};

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

/* Which processes got a CPU since userspace last looked: slot
 * tgid % KP_RAN_SLOTS (neighbouring tgids on one cache line, as in
 * kp_arrivals) holds the tgid of the last one there. Userspace maps it
 * and swaps each slot with 0 as it reads it. Two processes sharing a slot
 * (tgids a multiple of KP_RAN_SLOTS apart) in one interval keep only the
 * later. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, KP_RAN_SLOTS);
	__type(key, __u32);
	__type(value, __u64); /* array values are 8-byte aligned in the mapping */
} kp_sched_ran SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kp_sched_cpu);
} kp_sched_cpus SEC(".maps");

/* Kernel stamps only: per CPU, its run queue's clock at the last wakeup onto
 * it and bpf_ktime_get_ns() then. A wakeup that preempts makes the next
 * __schedule skip its clock update (rq_clock_skip_update), so the kernel's
 * stamps read that wait as 0 (57% of waits on a lightly loaded host); a
 * switch that finds the clock still at this mark adds the time since. The
 * waker's CPU writes the target CPU's value, under that run queue's lock,
 * which the switch reading it also holds. */
struct kp_rq_wake_mark {
	__u64 rq_clock;
	__u64 ktime;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kp_rq_wake_mark);
} kp_rq_wake_marks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024); /* ~10k exits between two polls */
} kp_exits SEC(".maps");

/* Half the ring: past it the reader is woken at once. */
#define KP_EXITS_WAKE_BYTES (512 * 1024)

/* Per CPU, so a cell is written by its own CPU only, from sched_switch or
 * sched_migrate_task, both with interrupts off: no lock, no nesting. An
 * array lookup the verifier inlines costs a few loads where the per-CPU
 * hash costs a helper call, a hash and a bucket walk (22j). 256 cells of
 * 328 bytes per CPU. */
#define KP_SCHED_CELL_BITS 8

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1 << KP_SCHED_CELL_BITS);
	__type(key, __u32);
	__type(value, struct kp_sched_cell);
} kp_sched_cells SEC(".maps");

/* Per cell index, a removed cgroup userspace has retired: a CPU whose cell
 * there still names it takes the cell back for the next cgroup hashing
 * there, so cells outlive cgroup churn. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << KP_SCHED_CELL_BITS);
	__type(key, __u32);
	__type(value, __u64);
} kp_sched_cells_retired SEC(".maps");

/* 1 at an index some CPU has taken a cell at: userspace reads only those. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << KP_SCHED_CELL_BITS);
	__type(key, __u32);
	__type(value, __u32);
} kp_sched_cells_used SEC(".maps");

KP_DEFINE_COUNTERS
KP_DEFINE_LOOKUP_OR_INIT(hashed_cgroup_stats, kp_sched_cgroups, __u64, struct kp_sched_cgroup)

/* A cgroup's counts: this CPU's cell for it (taken if free or retired), or
 * its kp_sched_cgroups entry where the cell counts another cgroup. */
static __always_inline struct kp_sched_cgroup *cgroup_stats(__u64 cgid)
{
	__u32 idx = (cgid * 0x9E3779B97F4A7C15ULL) >> (64 - KP_SCHED_CELL_BITS);
	struct kp_sched_cell *cell = bpf_map_lookup_elem(&kp_sched_cells, &idx);
	__u64 *retired;
	__u32 *used;

	if (!cell || !cgid)
		return hashed_cgroup_stats(&cgid);
	if (cell->cgroup_id == cgid)
		return &cell->stats;
	if (cell->cgroup_id) {
		retired = bpf_map_lookup_elem(&kp_sched_cells_retired, &idx);
		if (!retired || *retired != cell->cgroup_id)
			return hashed_cgroup_stats(&cgid);
		/* Zeroed before it is renamed: userspace skips it until then. */
		__builtin_memset(&cell->stats, 0, sizeof(cell->stats));
		barrier();
	}
	used = bpf_map_lookup_elem(&kp_sched_cells_used, &idx);
	if (used && !*used)
		*used = 1;
	cell->cgroup_id = cgid;
	return &cell->stats;
}

/* This CPU's run queue, for its clock and length, reached through a task's
 * cfs_rq (every task has one under CONFIG_FAIR_GROUP_SCHED; the per-CPU
 * `runqueues` symbol is not in kallsyms unless CONFIG_KALLSYMS_ALL, so a
 * typed ksym is not an option everywhere). Null when unknown. Direct
 * BTF-typed loads: tp_btf arguments are trusted pointers, and each
 * BPF_CORE_READ hop would be a bpf_probe_read_kernel() call. */
static __always_inline struct rq *task_rq(struct task_struct *t)
{
	struct cfs_rq *cfs;

	if (!bpf_core_field_exists(t->se.cfs_rq) ||
	    !bpf_core_field_exists(((struct cfs_rq *)0)->rq))
		return 0;
	cfs = t->se.cfs_rq;
	return cfs ? cfs->rq : 0;
}

/* A task's cgroup v2 id by direct loads (not the current task's, so not the
 * helper). */
static __always_inline __u64 task_cgroup_id(struct task_struct *t)
{
	struct css_set *cset = t->cgroups;
	struct cgroup *cg = cset ? cset->dfl_cgrp : 0;
	struct kernfs_node *kn = cg ? cg->kn : 0;

	return kn ? kn->id : 0;
}

static __always_inline struct kp_sched_cpu *this_cpu_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&kp_sched_cpus, &zero);
}

/* Marks the task's process as having run: one store, skipped when the slot
 * already says so. */
static __always_inline void mark_ran(struct task_struct *t)
{
	__u32 tgid = t->tgid;
	__u32 key = tgid & (KP_RAN_SLOTS - 1);
	__u64 *slot = bpf_map_lookup_elem(&kp_sched_ran, &key);

	if (slot && *slot != tgid)
		*slot = tgid;
}

/* One wait of the task getting the CPU, in its CPU's and its cgroup's
 * histograms: in the slot of `lasted`, counted in the sum as `counted` (the
 * kernel's figure where it keeps the stamps). The cgroup entry doubles as
 * the mark that it ran. */
static __always_inline void record_wait(__u64 cgid, struct kp_sched_cpu *pc, __u64 lasted,
					__u64 counted)
{
	struct kp_sched_cgroup *cs;

	if (pc)
		kp_hist_record_placed(&pc->runq_latency, lasted, counted);
	cs = cgroup_stats(cgid);
	if (cs)
		kp_hist_record_placed(&cs->runq_latency, lasted, counted);
}

#include "sched_arrivals.h"

/* Kernel stamps: how long ago, in real time, this CPU's run queue clock
 * stopped at `clock`: the time since the last wakeup onto this CPU when no
 * clock update ran since it (the switch after a preempting wakeup skips
 * it), else 0. A clock read only then. */
static __always_inline __u64 time_since_clock_stopped(__u64 clock)
{
	__u32 zero = 0;
	struct kp_rq_wake_mark *mark = bpf_map_lookup_elem(&kp_rq_wake_marks, &zero);
	__u64 now;

	if (!mark || mark->rq_clock != clock)
		return 0;
	now = bpf_ktime_get_ns();
	return now > mark->ktime ? now - mark->ktime : 0;
}

/* Kernel stamps: the wait of the task getting the CPU is its run queue's
 * clock against its enqueue stamp, the kernel's run_delay, which the sum
 * keeps; its slot adds the time the clock stood still (a woken task that
 * preempts reads 0 on the kernel's clock: it skipped the update). */
static __always_inline void account_next_stamped(struct task_struct *next, __u64 cgid,
						 struct rq *rq, struct kp_sched_cpu *pc)
{
	__u64 queued = 0, clock, waited;

	if (!rq || !bpf_core_field_exists(next->sched_info.last_queued))
		return;
	queued = next->sched_info.last_queued;
	if (!queued)
		return; /* not stamped: enqueued before the kernel's accounting began */
	clock = rq->clock;
	waited = clock > queued ? clock - queued : 0;
	record_wait(cgid, pc, waited + time_since_clock_stopped(clock), waited);
	arrival_seen(next, waited, pc);
}

/* Kernel stamps only: the slice the task leaving ends is the run queue's
 * clock against this CPU's clock at its previous switch (when that task got
 * the CPU: sched_info_arrive stamps last_arrival with the same clock right
 * after the tracepoint; reading pc is cheaper than the leaving task's
 * sched_info, 22j). A long one goes to the cgroup of the task that got this
 * CPU last, which is the leaving task's (running_cgroup, still unchanged:
 * no cgroup id to read). Short ones cost no lookup: their switch-ins bound
 * them. */
static __always_inline void account_prev_slice(struct kp_sched_cpu *pc, __u64 clock)
{
	struct kp_sched_cgroup *cs;
	__u64 arrived = pc->switched_at, cgid;

	pc->switched_at = clock;
	if (!arrived || !pc->running_cgroup || clock < arrived + KP_LONG_SLICE_NS)
		return;
	cgid = pc->running_cgroup;
	cs = cgroup_stats(cgid);
	if (cs) {
		cs->long_ran_ns += clock - arrived;
		cs->long_slices++;
	}
}

/* Kernel stamps: the woken task's run queue clock was just updated for its
 * enqueue; mark it with the time, in that CPU's slot. */
static __always_inline void mark_wakeup(struct task_struct *p)
{
	struct rq *rq = task_rq(p);
	struct kp_rq_wake_mark *mark;
	__u32 zero = 0;

	if (!rq || !bpf_core_field_exists(rq->cpu))
		return;
	mark = bpf_map_lookup_percpu_elem(&kp_rq_wake_marks, &zero, rq->cpu);
	if (!mark)
		return;
	mark->rq_clock = rq->clock;
	mark->ktime = bpf_ktime_get_ns();
}

/* The wakeup hooks: with the kernel's stamps a mark of the clock (above);
 * with own stamps the enqueue time. */
static __always_inline int on_wakeup(struct task_struct *p)
{
	struct task_info *ti;

	if (kp_rq_stamps) {
		mark_wakeup(p);
		return 0;
	}
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

/* Own stamps only: a task preempted while runnable goes straight back on a
 * run queue; the task getting the CPU waited since its stamp. */
static __always_inline void account_switch_own(struct task_struct *prev, struct task_struct *next,
					       __u64 cgid, struct kp_sched_cpu *pc)
{
	struct task_info *ti;
	__u64 now = bpf_ktime_get_ns();

	if (prev->pid != 0 && (prev->__state & 0xff) == TASK_RUNNING) {
		ti = bpf_task_storage_get(&kp_task, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (ti)
			ti->wake_ts = now;
	}
	ti = bpf_task_storage_get(&kp_task, next, 0, 0);
	if (!ti || !ti->wake_ts || now < ti->wake_ts)
		return;
	record_wait(cgid, pc, now - ti->wake_ts, now - ti->wake_ts);
	ti->wake_ts = 0;
}

#include "sched_exits.h"

SEC("tp_btf/sched_switch")
int BPF_PROG(kp_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct kp_sched_cpu *pc = this_cpu_stats();
	struct rq *rq = task_rq(next);
	__u64 cgid;

	if (!rq)
		rq = task_rq(prev);
	if ((prev->__state & 0xff) == KP_TASK_DEAD)
		exit_switched_out(prev);
	if (pc) {
		/* No kp_count(KP_CNT_EVENTS): userspace counts these events
		 * from switches (one map lookup less per switch, 22j). */
		pc->switches++;
		pc->nr_running_sum += rq ? rq->nr_running : 0;
		if (kp_rq_stamps)
			account_prev_slice(pc, rq ? rq->clock : 0);
	}
	if (kp_rq_stamps && pc) {
		/* One compare on a line the switch already writes; the task's
		 * totals are read only when its switch-in went unseen. */
		if (prev->pid != 0 && pc->running_pid != prev->pid)
			catch_up(prev, pc);
		pc->running_pid = next->pid;
	}
	if (next->pid == 0) { /* the idle task */
		if (pc)
			pc->running_cgroup = 0;
		return 0;
	}
	cgid = task_cgroup_id(next);
	if (pc)
		pc->running_cgroup = cgid;
	if (kp_per_process)
		mark_ran(next);
	if (kp_rq_stamps)
		account_next_stamped(next, cgid, rq, pc);
	else
		account_switch_own(prev, next, cgid, pc);
	return 0;
}
