/* Layouts shared by the BPF programs and userspace: defined once here.
 * Keep every struct a multiple of 8 bytes with explicit padding, so the two
 * compilers agree. Userspace includes this with <linux/types.h>. */
#ifndef KPULSE_TYPES_H
#define KPULSE_TYPES_H

/* Log2 histogram slots; must equal kpulse::model::kHistogramSlots. */
#define KP_HIST_SLOTS 36

struct kp_hist {
	__u64 slots[KP_HIST_SLOTS];
	__u64 count;
	__u64 sum_ns;
};

/* ---- sched group ---------------------------------------------------------- */

/* Per cgroup (key: cgroup v2 id), per CPU. The histogram has one sample per
 * switch-in of the cgroup's tasks (so its count says the cgroup ran);
 * sum_ns also holds the waits on run queues a task was migrated off, which
 * have no sample of their own. On-CPU time, switches and faults are the
 * kernel's (cpu.stat, memory.stat). */
struct kp_sched_cgroup {
	struct kp_hist runq_latency;
	/* Slices of at least KP_LONG_SLICE_NS its tasks ended (where the
	 * kernel keeps run-queue stamps): their summed length and count. The
	 * other switch-ins ran under KP_LONG_SLICE_NS each, which bounds the
	 * cgroup's CPU time without a lookup per switch. */
	__u64 long_ran_ns;
	__u64 long_slices;
};

/* A per-CPU cell of kp_sched_cells: the cgroup it counts for (0: free),
 * taken by the first switch-in on that CPU of a cgroup hashing to it, given
 * back only once userspace retires a removed cgroup; a cgroup whose cell
 * holds another goes to kp_sched_cgroups. */
struct kp_sched_cell {
	__u64 cgroup_id;
	struct kp_sched_cgroup stats;
};

/* 1 ms: a task that wakes, serves and sleeps runs tens of microseconds, so
 * few slices reach it and sched_switch pays its cgroup lookup at most once
 * per millisecond of CPU (under 0.01% of it); below it, a switch-in costs
 * the bound 1 ms, so 10 ms of it (1% of a second) takes 10 short switch-ins
 * a second. */
#define KP_LONG_SLICE_NS 1000000ULL

/* Processes that got a CPU since userspace last looked: an array of tgids
 * (one __u64 each), slot = tgid % KP_RAN_SLOTS. */
#define KP_RAN_BITS 14
#define KP_RAN_SLOTS (1u << KP_RAN_BITS)

/* Per CPU (PERCPU_ARRAY with one entry). */
struct kp_sched_cpu {
	struct kp_hist runq_latency;
	__u64 switches;
	__u64 nr_running_sum; /* summed at each switch; / switches = mean length */
	/* cgroup v2 id of the task that got this CPU last (0: the idle task):
	 * whose tasks hold a CPU when userspace reads, which no switch-in of
	 * the coming interval will show (a task running across the boundary). */
	__u64 running_cgroup;
	/* The run queue's clock at this CPU's last switch (kernel stamps only;
	 * 0 before the first): when the task leaving got the CPU, the same
	 * value the kernel keeps in its sched_info.last_arrival, read here
	 * from a line the switch already writes. */
	__u64 switched_at;
	/* The pid of the task that got this CPU at the last switch a program
	 * saw (kernel stamps only): a task leaving that is not it got the CPU
	 * at a switch no program saw. */
	__u64 running_pid;
};

/* Sent through the ring buffer when the last thread of a process exits. */
struct kp_exit_event {
	__u64 cgroup_id;
	__u64 start_ns; /* task start, CLOCK_MONOTONIC */
	__u64 exit_ns;  /* bpf_ktime_get_ns() at exit */
	__u64 cpu_ns;   /* whole process: live + dead threads */
	__u64 major_faults;
	__u64 minor_faults;
	__u64 read_bytes;
	__u64 write_bytes;
	__u32 pid;
	__u32 tgid;
	__s32 exit_code;
	__u32 pad;
	char comm[16];
};

/* ---- block group ---------------------------------------------------------- */

struct kp_block_stats {
	__u64 read_ops;
	__u64 write_ops;
	__u64 read_bytes;
	__u64 write_bytes;
	__u64 errors;
	__u64 untimed; /* completed without the stamps to time them */
	__u64 pad[2];
	struct kp_hist queue_latency;
	struct kp_hist device_latency;
};

/* One entry per (disk, submitting cgroup): a completion updates one entry,
 * userspace sums them per disk and per cgroup. cgroup_id 0: unknown. */
struct kp_block_key {
	__u64 cgroup_id;
	__u32 dev; /* the kernel's dev_t encoding, (major << 20) | minor */
	__u32 pad;
};

/* A per-CPU cell of kp_block_cells: the (disk, cgroup) it counts for, taken
 * by the first completion on that CPU whose key hashes to it, and never
 * given back; a key whose cell holds another goes to kp_block_io. */
struct kp_block_cell {
	__u64 state; /* 0 free, 1 taken (key valid), 2 being taken */
	struct kp_block_key key;
	struct kp_block_stats stats;
};

/* ---- net group ------------------------------------------------------------ */

struct kp_net_cgroup {
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u64 retransmits;
	__u64 active_opens;
	__u64 passive_opens;
	__u64 resets;
	__u64 listen_overflows;
	__u64 udp_tx_bytes; /* datagram payload, as tx_bytes is TCP's */
	__u64 udp_rx_bytes;
	struct kp_hist connect_latency;
};

struct kp_listener_key {
	__u32 netns;   /* network namespace inode */
	__u16 port;    /* host byte order */
	__u16 family;  /* AF_INET or AF_INET6 */
	__u8 addr[16]; /* IPv4 in the first 4 bytes */
};

struct kp_listener_val {
	__u64 overflows;
	__u64 cgroup_id;
	__u32 backlog; /* sk_max_ack_backlog at the last overflow */
	__u32 pad;
};

#define KP_DROP_REASONS 256

/* ---- mem group ------------------------------------------------------------ */

struct kp_mem_cgroup {
	__u64 reclaim_ns;
	__u64 reclaim_events;
	__u64 oom_kills;
	__u64 pad;
};

/* ---- self accounting (each group has its own counters array) ---------------- */

enum kp_counter {
	KP_CNT_EVENTS = 0,   /* program invocations that did work */
	KP_CNT_MAP_FULL = 1, /* updates refused because a map was full */
	KP_CNT_UNTRACED = 2, /* waits the kernel counted at switch-ins no program saw */
	KP_CNT_MAX = 3,
};

#endif /* KPULSE_TYPES_H */
