// The sched group's hooks and ladders, and what it reads from the kernel.
#include <time.h>

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

// sched_switch can read what a task waited on run queues from the kernel's
// own per-task total (CONFIG_SCHED_INFO's sched_info.run_delay).
bool rq_stamps(const KernelFeatures& f) {
  return f.has_field("task_struct", "sched_info.run_delay") && kernel_fills_sched_info();
}

// A wakeup hook, needed only where the kernel keeps no run-queue stamps.
Candidate wakeup(const char* program, const char* tracepoint) {
  Candidate c = tp_btf(program, tracepoint);
  c.available = [tp = std::string(tracepoint)](const KernelFeatures& f) {
    return !rq_stamps(f) && f.has_tracepoint(tp);
  };
  c.requirement = std::string("tracepoint ") + tracepoint +
                  " and no run-queue stamps in the kernel (here sched_switch reads them)";
  return c;
}

std::vector<std::string> sched_reads(const KernelFeatures& f) {
  std::vector<std::string> out;
  if (rq_stamps(f))
    out.push_back(
        "run-queue delay: task_struct.sched_info.run_delay growth between a task's "
        "switch-outs (the kernel's schedstat wait)");
  else
    out.push_back(
        "run-queue delay: own stamps at sched_wakeup/sched_wakeup_new and preemption "
        "(the kernel lacks sched_info.run_delay or leaves it unset)");
  out.push_back("on-CPU time: task_struct.se.sum_exec_runtime growth between switch-outs");
  out.push_back("major faults: task_struct.maj_flt growth between switch-outs");
  out.push_back("run-queue length: se.cfs_rq->rq->nr_running at each switch");
  return out;
}

uint64_t monotonic_now_ns() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ULL + uint64_t(ts.tv_nsec);
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
          },
          {{"kp_sched_cgroups", limits.cgroups}, {"kp_sched_procs", limits.processes}},
          {{"kp_per_process", [per_process](const KernelFeatures&) { return per_process; }},
           {"kp_rq_stamps", [](const KernelFeatures& f) { return rq_stamps(f); }},
           {"kp_loaded_ns", [](const KernelFeatures&) { return monotonic_now_ns(); }}},
          sched_reads};
}

}  // namespace kpulse::probes
