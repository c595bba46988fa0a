#include "probes/sched/sched_samples.h"

#include <cstring>

#include "probes/bpf_samples.h"

namespace kpulse::probes {

using model::MetricId;

void add_sched_samples(model::Component& c, const kp_sched_cgroup& t, const kp_sched_cgroup& d) {
  add_histogram(c, MetricId::SchedRunqLatency, t.runq_latency, d.runq_latency);
}

model::ExitedTask to_exited_task(const kp_exit_event& e, int64_t monotonic_to_wall_ns) {
  model::ExitedTask x;
  x.pid = e.pid;
  x.tgid = e.tgid;
  x.comm.assign(e.comm, strnlen(e.comm, sizeof e.comm));
  x.lifetime_s = e.exit_ns > e.start_ns ? double(e.exit_ns - e.start_ns) * 1e-9 : 0;
  x.exit_time_s = double(int64_t(e.exit_ns) + monotonic_to_wall_ns) * 1e-9;
  x.cpu_time_s = double(e.cpu_ns) * 1e-9;
  x.major_faults = e.major_faults;
  x.minor_faults = e.minor_faults;
  x.read_bytes = e.read_bytes;
  x.write_bytes = e.write_bytes;
  x.exit_code = e.exit_code;
  return x;
}

}  // namespace kpulse::probes
