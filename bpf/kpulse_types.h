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

/* Per cgroup (key: cgroup v2 id), per CPU. */
struct kp_sched_cgroup {
	__u64 oncpu_ns;
	__u64 voluntary;
	__u64 involuntary;
	__u64 major_faults;
	struct kp_hist runq_latency;
};

/* Per process (key: tgid), per CPU. Deleted when the process exits. */
struct kp_sched_proc {
	__u64 oncpu_ns;
	__u64 voluntary;
	__u64 involuntary;
	__u64 major_faults;
	__u64 cgroup_id; /* cgroup of the thread that last switched out */
	char comm[16];
};

/* Per CPU (PERCPU_ARRAY with one entry). */
struct kp_sched_cpu {
	struct kp_hist runq_latency;
	__u64 switches;
	__u64 nr_running_sum; /* summed at each switch; / switches = mean length */
};

/* Sent through the ring buffer when the last thread of a process exits. */
struct kp_exit_event {
	__u64 cgroup_id;
	__u64 start_ns;      /* task start, CLOCK_MONOTONIC */
	__u64 exit_ns;       /* bpf_ktime_get_ns() at exit */
	__u64 cpu_ns;        /* whole process: live + dead threads */
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
	__u64 untimed;   /* completed without the stamps to time them */
	__u64 pad[2];
	struct kp_hist queue_latency;
	struct kp_hist device_latency;
};

/* One entry per (disk, submitting cgroup): a completion updates one entry,
 * userspace sums them per disk and per cgroup. cgroup_id 0: unknown. */
struct kp_block_key {
	__u64 cgroup_id;
	__u32 dev;       /* the kernel's dev_t encoding, (major << 20) | minor */
	__u32 pad;
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
	__u64 pad;
	struct kp_hist connect_latency;
};

struct kp_listener_key {
	__u32 netns;     /* network namespace inode */
	__u16 port;      /* host byte order */
	__u16 family;    /* AF_INET or AF_INET6 */
	__u8 addr[16];   /* IPv4 in the first 4 bytes */
};

struct kp_listener_val {
	__u64 overflows;
	__u64 cgroup_id;
	__u32 backlog;   /* sk_max_ack_backlog at the last overflow */
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
	KP_CNT_MAX = 2,
};

#endif /* KPULSE_TYPES_H */
