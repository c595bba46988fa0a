/* SPDX-License-Identifier: GPL-2.0 */
/* The sched group's process exits, included by sched.bpf.c after kp_exits and
 * arrival_forget(), before the sched_switch program (exit_switched_out()).
 *
 * When the last thread of a process leaves, the process's whole-life totals
 * go out through the ring buffer: a process shorter than the interval is
 * still seen, and the kernel forgets the totals once it is reaped.
 *
 * The totals are in two places at that moment. A thread's own figures
 * (se.sum_exec_runtime, min_flt, maj_flt, ioac) move into the process's
 * signal_struct only when the thread is released (__exit_signal), and it
 * leaves the thread list then. So the released threads are in the signal
 * totals, and every other thread is still on the list: the one exiting now,
 * any sibling still between its own exit and its release (an exit_group
 * stops them all at once), and the group leader, which, if it left first,
 * stays a zombie until the parent reaps it. The last thread is seldom the
 * leader (main() returning kills the workers, which finish after it), so
 * the signal totals plus the exiting thread alone measured a worker
 * (0.1 ms of a 160 ms process, checked against the parent's wait4 rusage).
 *
 * The signal totals are read first, then the list: a sibling released
 * between the two reads is missed, none is counted twice. */

/* Unreleased threads summed at most; past that the list is cut short (an
 * exit_group of a process with more threads still exiting than this). */
#define KP_EXIT_MAX_THREADS 256

static __always_inline void add_thread_totals(struct kp_exit_event *e, struct task_struct *t)
{
	e->cpu_ns += BPF_CORE_READ(t, se.sum_exec_runtime);
	e->major_faults += BPF_CORE_READ(t, maj_flt);
	e->minor_faults += BPF_CORE_READ(t, min_flt);
	e->read_bytes += BPF_CORE_READ(t, ioac.read_bytes);
	e->write_bytes += BPF_CORE_READ(t, ioac.write_bytes);
}

static __always_inline void add_unreleased_threads(struct kp_exit_event *e,
						   struct signal_struct *sig)
{
	struct list_head *head = &sig->thread_head;
	struct list_head *pos = BPF_CORE_READ(sig, thread_head.next);

	for (int i = 0; i < KP_EXIT_MAX_THREADS && pos && pos != head; i++) {
		add_thread_totals(e, container_of(pos, struct task_struct, thread_node));
		pos = BPF_CORE_READ(pos, next);
	}
}

/* The thread that ends its process, from sched_process_exit to its last
 * switch: its own runtime is only final then. The kernel folds a running
 * task's time into se.sum_exec_runtime at a tick or a switch, so at the
 * tracepoint the slice since the last one is missing: up to a tick (4 ms at
 * HZ=250), all of a short process's CPU when no tick fell in its life
 * (0.1 ms of 3.6 ms, checked against wait4). A dying task switches out once
 * more (do_task_dead), after the scheduler's update_curr, and is released
 * only after that, so every total below is still where it was. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} kp_exit_pending SEC(".maps");

#define KP_TASK_DEAD 0x80

/* Sends the exit record of the process whose last thread `p` is (running
 * on this CPU: the current task). */
static __always_inline void submit_exit(struct task_struct *p)
{
	struct signal_struct *sig = p->signal;
	struct task_struct *leader = p->group_leader;
	struct kp_exit_event *e;
	__u32 tgid = p->tgid;

	e = bpf_ringbuf_reserve(&kp_exits, sizeof(*e), 0);
	if (!e) {
		kp_count(KP_CNT_MAP_FULL);
		return;
	}
	e->cgroup_id = bpf_get_current_cgroup_id();
	/* The process began with its leader, and is named after it. */
	e->start_ns = leader->start_time;
	e->exit_ns = bpf_ktime_get_ns();
	e->cpu_ns = sig->sum_sched_runtime;
	e->major_faults = sig->maj_flt;
	e->minor_faults = sig->min_flt;
	e->read_bytes = sig->ioac.read_bytes;
	e->write_bytes = sig->ioac.write_bytes;
	add_unreleased_threads(e, sig);
	e->pid = tgid; /* the process, whichever of its threads left last */
	e->tgid = tgid;
	e->exit_code = p->exit_code;
	e->pad = 0;
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), leader->comm);
	/* No wakeup per exit: waking the reader queues an irq_work, a self-IPI
	 * that in a VM traps to the hypervisor (10-15 us per exit measured). The
	 * reader polls every 100 ms; it is woken only when the ring fills up. */
	bpf_ringbuf_submit(e, bpf_ringbuf_query(&kp_exits, BPF_RB_AVAIL_DATA) > KP_EXITS_WAKE_BYTES
				      ? BPF_RB_FORCE_WAKEUP
				      : BPF_RB_NO_WAKEUP);
	kp_count(KP_CNT_EVENTS);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(kp_sched_process_exit, struct task_struct *p)
{
	struct kp_sched_cpu *pc;
	__u32 *pending;

	if (kp_rq_stamps)
		arrival_forget(p);
	if (p->signal->live.counter != 0)
		return 0; /* other threads still run */
	/* Sent at this thread's last switch (exit_switched_out), with its last
	 * slice; now, without it, when the mark cannot be made or no switch
	 * program runs to send it (this CPU counted no switch: sched_switch was
	 * rejected or not attached, and the record would wait forever). */
	pc = this_cpu_stats();
	if (!pc || !pc->switches) {
		submit_exit(p);
		return 0;
	}
	pending = bpf_task_storage_get(&kp_exit_pending, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (pending)
		*pending = 1;
	else
		submit_exit(p);
	return 0;
}

/* From sched_switch, for a task leaving the CPU for good (TASK_DEAD; the
 * caller tests that, so other switches cost one compare). Here `prev` is
 * still the current task. */
static __always_inline void exit_switched_out(struct task_struct *prev)
{
	if (!bpf_task_storage_get(&kp_exit_pending, prev, 0, 0))
		return;
	submit_exit(prev);
	bpf_task_storage_delete(&kp_exit_pending, prev);
}
