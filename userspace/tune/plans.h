// The decisions of the tuners that act on kernel-global paths (/proc/sys,
// /sys/block), as pure functions of the numbers the tuner read: what to
// change, to what, or nothing. The tuners read and journal; these decide,
// so the bounds, the clamping and the step size are testable without a host.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tune/knob.h"
#include "tune/tuners.h"

namespace kpulse::tune {

// One knob step a plan chose: the knob kind and the raw value to write.
struct PlannedStep {
  KnobKind kind;
  std::string raw;
};

// SYN queue of a namespace: tcp_max_syn_backlog is raised when listeners
// overflow while it sits below somaxconn (the SYN queue then fills before the
// accept queue can grow into the larger cap), or when SYNs are dropped for a
// full request queue. The target is somaxconn in the first case (the two
// move together) and options.syn_backlog_max in the second; never past
// options.syn_backlog_max. nullopt: nothing to do.
std::optional<double> plan_syn_backlog(double syn_backlog, double somaxconn, double overflows_per_s,
                                       double reqq_drops_per_s, const TunerOptions& o);

// net.core.[rw]mem_max below the tcp_[rw]mem maximum of a busy namespace:
// SO_RCVBUF/SO_SNDBUF requests are capped by the core maximum, so raise it
// toward the TCP maximum (at most options.tcp_buffer_max).
std::optional<double> plan_core_buffer(KnobKind core, double core_max, double tcp_max,
                                       const TunerOptions& o);

// cpu.weight / cpu.shares divide CPU among siblings only: the cgroup to raise
// for `victim` against `hog` is the child of their lowest common ancestor on
// the victim's side ("/a/x" vs "/b/y" → "/a"; "/kp/v" vs "/kp/h" → "/kp/v").
// "" when one contains the other (a parent cannot out-weigh its own child).
std::string contending_sibling(const std::string& victim, const std::string& hog);
// The ceiling for the knob: options.cpu_weight_max, or on v1 the same ratio
// to the default (weight 100 = shares 1024), within the hard bounds.
double cpu_weight_ceiling(KnobKind kind, const TunerOptions& o);

// A block device queue as read from /sys/block/D/queue/ and the snapshot.
struct QueueState {
  std::string scheduler;               // active: "mq-deadline", "none"
  std::vector<std::string> available;  // what the device offers
  bool rotational = true;
  double nr_requests = 0;
  double depth = 0;        // average requests in flight over the interval
  double utilization = 0;  // busy share of the interval, 0..1
};
// Saturated = the average depth fills at least 70% of nr_requests on a device
// busy at least half the time. (A full pool does not average 100%: each slot
// turns over between a completion and the next dispatch. Measured: 3.2 of 4
// on a loop device with fio at I/O depth 64.) Then: a rotational device without a scheduler
// gets mq-deadline (without one, nr_requests is pinned to the hardware depth
// and nothing merges or sorts); a non-rotational one with a scheduler gets
// none (the device queues deeper itself); a rotational one with a scheduler
// gets a bounded nr_requests step toward options.nr_requests_max.
std::optional<PlannedStep> plan_block_queue(const QueueState& q, const TunerOptions& o);

// Host writeback: dirty plus writeback pages against the dirty_ratio limit
// (share of available memory), and the host's I/O stall share.
struct WritebackState {
  double background_ratio = 10, dirty_ratio = 20;  // percent
  double dirty_bytes = 0, writeback_bytes = 0;
  double available_bytes = 0;  // MemAvailable: close to what the kernel calls dirtyable
  double io_stall = 0;         // PSI io some, seconds stalled per second
};
// Writers stall when dirty memory reaches dirty_ratio; background writeback
// starts at dirty_background_ratio. With dirty memory at half the hard limit
// or more and tasks stalled on I/O at least 10% of the time, first lower
// dirty_background_ratio (flushing starts earlier, writers meet the limit
// less often) down to options.dirty_background_min, then raise dirty_ratio up
// to options.dirty_ratio_max (more room for bursts). The background ratio
// always stays below dirty_ratio. Only with options.writeback.
std::optional<PlannedStep> plan_writeback(const WritebackState& w, const TunerOptions& o);

}  // namespace kpulse::tune
