// The sched group's hooks and ladders, and what it reads from the kernel.
#include <fstream>

#include "kpulse_sched.skel.h"
#include "probes/sched/sched_group.h"

namespace kpulse::probes {
namespace {

// Whether this thread's own schedstat counts its runs ("run_ns wait_ns
// runs"): the kernel fills sched_info (before 5.14 only with delay
// accounting or schedstats switched on).
bool kernel_fills_sched_info() {
  std::ifstream in("/proc/thread-self/schedstat");
  unsigned long long run_ns = 0, wait_ns = 0, runs = 0;
  return static_cast<bool>(in >> run_ns >> wait_ns >> runs) && runs > 0;
}

// sched_switch can read what the task getting the CPU waited from the
// kernel's own enqueue stamp (CONFIG_SCHED_INFO's sched_info.last_queued)
// and its run queue's clock, reached through se.cfs_rq->rq
// (CONFIG_FAIR_GROUP_SCHED).
bool rq_stamps(const KernelFeatures& f) {
  return f.has_field("task_struct", "sched_info.last_queued") &&
         f.has_field("task_struct", "se.cfs_rq") && f.has_field("cfs_rq", "rq") &&
         f.has_field("rq", "clock") && kernel_fills_sched_info();
}

}  // namespace

bool sched_slices_known(const KernelFeatures& f) {
  return rq_stamps(f);
}

namespace {

// A wakeup hook. Where the kernel keeps no run-queue stamps it stamps the
// enqueue; where it does, it marks the woken task's run queue clock, so
// sched_switch can tell a wait the kernel's clock skipped (rq.cpu names the
// queue's CPU).
Candidate wakeup(const char* program, const char* tracepoint) {
  Candidate c = tp_btf(program, tracepoint);
  c.available = [tp = std::string(tracepoint)](const KernelFeatures& f) {
    return f.has_tracepoint(tp) && (!rq_stamps(f) || f.has_field("rq", "cpu"));
  };
  c.requirement =
      std::string("tracepoint ") + tracepoint + " (and rq.cpu with the kernel's stamps)";
  return c;
}

// The part of a wait spent on a run queue a task was migrated off.
Candidate migrate() {
  Candidate c = tp_btf("kp_sched_migrate", "sched_migrate_task");
  c.available = [](const KernelFeatures& f) {
    return rq_stamps(f) && f.has_tracepoint("sched_migrate_task");
  };
  c.requirement = "tracepoint sched_migrate_task and the kernel's run-queue stamps";
  return c;
}

std::vector<std::string> sched_reads(const KernelFeatures& f) {
  std::vector<std::string> out;
  if (rq_stamps(f)) {
    out.push_back(
        "run-queue delay: task_struct.sched_info.last_queued (the kernel's enqueue stamp) "
        "against se.cfs_rq->rq->clock at sched_switch, for the task getting the CPU; the "
        "slot adds the time since the last sched_wakeup/sched_wakeup_new onto that CPU when "
        "the clock has not moved since (a preempting wakeup skips its update)");
    out.push_back(
        "migrations: task_struct.sched_info.run_delay growth since the task's last switch-in, "
        "at sched_migrate_task (the wait on the run queue it left, added to its cgroup's "
        "total)");
    if (sched_slices_known(f))
      out.push_back(
          "long slices: the run queue's clock at sched_switch against its value at the CPU's "
          "previous switch (the kernel's sched_info.last_arrival of the task leaving), slices "
          "of 1 ms or more per cgroup");
  } else {
    out.push_back(
        "run-queue delay: own stamps at sched_wakeup/sched_wakeup_new and preemption "
        "(the kernel lacks sched_info.last_queued or leaves it unset)");
  }
  out.push_back("run-queue length: se.cfs_rq->rq->nr_running at each switch");
  out.push_back(
      "per cgroup: counted in a per-CPU cell (kp_sched_cells), or in kp_sched_cgroups where "
      "that CPU's cell counts another cgroup (its entries below)");
  out.push_back(
      "which processes ran: the tgid of each task getting a CPU (their on-CPU time, switches "
      "and faults from /proc/PID/stat; cgroups' from cpu.stat), and per CPU the cgroup of "
      "the task holding it");
  return out;
}

}  // namespace

GroupSpec sched_spec(const MapLimits& limits, bool per_process) {
  return {"sched",
          kpulse_sched__elf_bytes,
          {
              {"sched_switch", {tp_btf("kp_sched_switch", "sched_switch")}},
              {"sched_wakeup", {wakeup("kp_sched_wakeup", "sched_wakeup")}},
              {"sched_wakeup_new", {wakeup("kp_sched_wakeup_new", "sched_wakeup_new")}},
              {"sched_process_exit", {tp_btf("kp_sched_process_exit", "sched_process_exit")}},
              {"sched_migrate_task", {migrate()}},
          },
          {{"kp_sched_cgroups", limits.cgroups}},
          {{"kp_per_process", [per_process](const KernelFeatures&) { return per_process; }},
           {"kp_rq_stamps", [](const KernelFeatures& f) { return rq_stamps(f); }}},
          sched_reads};
}

}  // namespace kpulse::probes
