// The mem group's hooks and ladders.
#include "kpulse_mem.skel.h"
#include "probes/mem/mem_group.h"

namespace kpulse::probes {
namespace {

// mark_victim passed a pid before 6.8 and the task since: pick the program
// whose argument matches what this kernel's BTF says.
Candidate mark_victim(const char* program, const char* arg_type) {
  return {program, Rung::TpBtf,
          [arg_type](const KernelFeatures& f) {
            auto t = f.tracepoint_arg_type("mark_victim", 0);
            return t && *t == arg_type;
          },
          std::string("mark_victim(") + arg_type + ")"};
}

}  // namespace

GroupSpec mem_spec(const MapLimits& limits) {
  return {
      "mem",
      kpulse_mem__elf_bytes,
      {
          {"direct_reclaim_begin",
           {tp_btf("kp_direct_reclaim_begin", "mm_vmscan_direct_reclaim_begin")}},
          {"direct_reclaim_end", {tp_btf("kp_direct_reclaim_end", "mm_vmscan_direct_reclaim_end")}},
          {"memcg_reclaim_begin",
           {tp_btf("kp_memcg_reclaim_begin", "mm_vmscan_memcg_reclaim_begin")}},
          {"memcg_reclaim_end", {tp_btf("kp_memcg_reclaim_end", "mm_vmscan_memcg_reclaim_end")}},
          {"mark_victim",
           {mark_victim("kp_mark_victim", "struct task_struct *"),
            mark_victim("kp_mark_victim_pid", "int")}},
      },
      {{"kp_mem_cgroups", limits.cgroups}},
      {},
      {}};
}

}  // namespace kpulse::probes
