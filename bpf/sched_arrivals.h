/* SPDX-License-Identifier: GPL-2.0 */
/* The sched group's per-task baseline, included by sched.bpf.c after
 * cgroup_stats(), task_cgroup_id() and record_wait().
 *
 * Where the kernel keeps schedstat stamps it also keeps, per task, the total
 * it waited (sched_info.run_delay) and how many times it got a CPU after a
 * wait (sched_info.pcount): the figures /proc/PID/schedstat shows. The
 * programs read each wait at its switch-in, and remember the task's two
 * totals as they stand after it. That baseline serves two cases:
 *
 * - a queued task moved to another CPU: the kernel's dequeue adds its wait
 *   on the old queue to run_delay and restarts the stamp, so the switch-in
 *   sees only the new queue's part (kp_sched_migrate charges the rest);
 * - a switch-in our program did not see. Tracepoint programs can miss
 *   events: on this project's Firecracker hosts none runs while the guest's
 *   init (PID 1) is the current task, so every switch away from one of its
 *   threads went unseen, and its successor's wait with it (measured per
 *   thread against /proc/TID/schedstat: 1 to 3 of ~180 switch-ins per
 *   spinning thread, the cgroup's run-queue delay up to 1.75% short).
 *   Whatever the kernel counted since the last switch-in we saw is charged
 *   when the task leaves a CPU that no switch we saw gave it
 *   (kp_sched_cpu.running_pid), or at its next migration, so the totals
 *   match the kernel's whatever was missed. The histogram cannot know how
 *   the missed time divided into waits: they go into the slot of their
 *   mean.
 *
 * One 16-byte slot per pid (its low bits), no per-task storage; a task
 * whose slot another task took since (pids 65536 apart) is skipped, and a
 * slot is freed when its task exits so a reused pid starts afresh. */

struct kp_arrival {
	__u32 pid;
	__u32 arrivals;  /* the kernel's pcount after the last switch-in we saw */
	__u64 run_delay; /* the kernel's run_delay after it */
};

#define KP_ARRIVAL_BITS 16

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1u << KP_ARRIVAL_BITS);
	__type(key, __u32);
	__type(value, struct kp_arrival);
} kp_arrivals SEC(".maps");

/* The pid's low bits, not a scattering hash: tasks made one after another
 * have neighbouring pids, so their slots share warm cache lines (22n: a
 * quarter of sched_switch's time under perf bench sched messaging). */
static __always_inline struct kp_arrival *arrival_of(struct task_struct *t)
{
	__u32 key = t->pid & ((1u << KP_ARRIVAL_BITS) - 1);

	if (!bpf_core_field_exists(t->sched_info.run_delay) ||
	    !bpf_core_field_exists(t->sched_info.pcount))
		return 0;
	return bpf_map_lookup_elem(&kp_arrivals, &key);
}

/* Charges to t's cgroup (and this CPU) what the kernel added to t's totals
 * since the baseline in a, and moves the baseline up to them. Waits that
 * ended at switch-ins we missed count as waits; time with no switch-in (a
 * migration we missed) adds to the total only, as kp_sched_migrate does. A
 * total below the baseline, or implausibly many waits, is another task on
 * the same pid: the baseline starts from it instead. */
static __always_inline void charge_untraced(struct kp_arrival *a, struct task_struct *t,
					    struct kp_sched_cpu *pc)
{
	__u64 delay = t->sched_info.run_delay;
	__u32 arrivals = t->sched_info.pcount;
	__u32 waits = arrivals - a->arrivals;
	struct kp_sched_cgroup *cs;
	__u64 missed;

	if (delay == a->run_delay && !waits)
		return; /* the usual case: we saw everything */
	if (delay > a->run_delay && waits < (1u << 20)) {
		missed = delay - a->run_delay;
		cs = cgroup_stats(task_cgroup_id(t));
		if (waits) {
			kp_count_n(KP_CNT_UNTRACED, waits);
			if (pc)
				kp_hist_record_n(&pc->runq_latency, missed, waits);
			if (cs)
				kp_hist_record_n(&cs->runq_latency, missed, waits);
		} else if (cs) {
			cs->runq_latency.sum_ns += missed;
		}
	}
	a->run_delay = delay;
	a->arrivals = arrivals;
}

/* t gets the CPU after waiting `waited` (already recorded): first what the
 * kernel counted that we did not see, then the baseline after this wait
 * (sched_info_arrive, right after the tracepoint, adds the same wait on the
 * same clock and counts one more arrival). */
static __always_inline void arrival_seen(struct task_struct *t, __u64 waited,
					 struct kp_sched_cpu *pc)
{
	struct kp_arrival *a = arrival_of(t);

	/* Stores only: the slot was last written wherever the task ran
	 * before, and reading it back here cost 10-15 ns per switch
	 * (bench/overhead/switch_cost.sh). What a missed switch-in left
	 * uncounted is charged when the task leaves (catch_up). */
	if (!a)
		return;
	a->pid = t->pid;
	a->run_delay = t->sched_info.run_delay + waited;
	a->arrivals = (__u32)t->sched_info.pcount + 1;
}

/* What the kernel added to t's totals since its baseline, when it has one:
 * for a task leaving a CPU that no switch we saw gave it (the switch-in we
 * did not see shows here, on the CPU it ran on since), and at a migration
 * (pc 0: the old queue's part belongs to no CPU of ours). */
static __always_inline void catch_up(struct task_struct *t, struct kp_sched_cpu *pc)
{
	struct kp_arrival *a = arrival_of(t);

	if (a && a->pid == t->pid)
		charge_untraced(a, t, pc);
}

/* A queued task moved to another CPU (load balancing, affinity, push/pull).
 * The kernel's dequeue has added its wait so far to run_delay and restarts
 * the stamp on the new queue: the growth since the baseline goes to its
 * cgroup's total wait here. A woken task moved before it is queued adds
 * nothing (its run_delay has not grown). */
SEC("tp_btf/sched_migrate_task")
int BPF_PROG(kp_sched_migrate, struct task_struct *p, int dest_cpu)
{
	if (kp_rq_stamps)
		catch_up(p, 0);
	return 0;
}

/* A task leaving for good frees its slot, so a task reusing the pid is not
 * measured against its totals. */
static __always_inline void arrival_forget(struct task_struct *t)
{
	struct kp_arrival *a = arrival_of(t);

	if (a && a->pid == t->pid)
		a->pid = 0;
}
