// The block group's hooks and ladders, and what it reads from the kernel.
#include "kpulse_block.skel.h"
#include "probes/block/block_group.h"

namespace kpulse::probes {
namespace {

// Disks with I/O, beyond one entry per cgroup, that kp_block_io is sized for.
constexpr uint32_t kMaxDisks = 512;

// Since 6.9 a request's start and issue stamps come from the plug's cached
// time and are equal for most requests: splitting queue from device time
// then needs our own stamp at issue. Measured (BENCHMARKS.md, 22g): for
// writeback flushed in bulk the cached issue stamp is hundreds of µs early,
// so device time read from it alone was 37% too long on a virtio disk.
bool request_stamps_cached(const KernelFeatures& f) {
  return f.has_field("blk_plug", "cur_ktime");
}

// Before 6.5 (no block_io_start) a request issued directly is never
// inserted: its submitter is seen at issue only.
bool issue_names_submitter(const KernelFeatures& f) {
  return !f.has_tracepoint("block_io_start");
}

Candidate issue(std::string program, Rung rung) {
  Candidate c = rung == Rung::TpBtf ? tp_btf(std::move(program), "block_rq_issue")
                                    : raw_tp(std::move(program), "block_rq_issue");
  c.available = [](const KernelFeatures& f) {
    return (request_stamps_cached(f) || issue_names_submitter(f)) &&
           f.has_tracepoint("block_rq_issue");
  };
  c.requirement =
      "tracepoint block_rq_issue, and request stamps from the plug's cached time (6.9+) or no "
      "block_io_start (before 6.5); here the request's stamps and block_io_start suffice";
  return c;
}

std::vector<std::string> block_reads(const KernelFeatures& f) {
  std::vector<std::string> out;
  if (request_stamps_cached(f))
    out.push_back(
        "queue and device latency: own stamp at block_rq_issue against "
        "request.start_time_ns (plug-cached since 6.9) and the completion time; "
        "request.io_start_time_ns where the issue was not seen");
  else
    out.push_back(
        "queue latency: request.io_start_time_ns - request.start_time_ns; device latency: "
        "completion time - request.io_start_time_ns (0 without queue statistics: unknown)");
  out.push_back(
      "bytes, op, disk: block_rq_complete's nr_bytes, request.cmd_flags, request.q->disk; "
      "counted per (disk, cgroup) in a per-CPU cell (kp_block_cells), or in kp_block_io where "
      "the cell counts another pair; summed per disk and per cgroup in userspace");
  out.push_back(
      "per request in flight: a slot of an array indexed by the request's tag and queue; "
      "kp_requests holds those whose slot another request holds (its entries below)");
  out.push_back(issue_names_submitter(f)
                    ? "cgroup: the submitter's, taken at block_rq_insert, or at block_rq_issue "
                      "for a request issued directly"
                    : "cgroup: the submitter's, taken at block_io_start");
  return out;
}

}  // namespace

GroupSpec block_spec(const MapLimits& limits) {
  return {
      "block",
      kpulse_block__elf_bytes,
      {
          {"request_start",
           {tp_btf("kp_block_io_start", "block_io_start"),
            tp_btf("kp_block_rq_insert", "block_rq_insert"),
            raw_tp("kp_block_rq_insert_raw", "block_rq_insert")}},
          {"block_rq_issue",
           {issue("kp_block_rq_issue", Rung::TpBtf), issue("kp_block_rq_issue_raw", Rung::RawTp)}},
          {"block_rq_complete",
           {tp_btf("kp_block_rq_complete", "block_rq_complete"),
            raw_tp("kp_block_rq_complete_raw", "block_rq_complete")}},
      },
      // As many entries as the per-cgroup and per-disk maps it replaced.
      {{"kp_requests", limits.requests}, {"kp_block_io", limits.cgroups + kMaxDisks}},
      {{"kp_issue_stamp", [](const KernelFeatures& f) { return request_stamps_cached(f); }}},
      block_reads};
}

}  // namespace kpulse::probes
