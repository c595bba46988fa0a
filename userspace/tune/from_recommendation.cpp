#include "tune/from_recommendation.h"


#include <cmath>

#include <fmt/format.h>

#include "tune/netns.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

std::optional<KnobKind> kind_of(const analytics::Knob& k) {
  switch (k.kind) {
    case analytics::KnobKind::Sysctl: {
      if (auto kk = knob_from_id(k.name)) return kk;
      return std::nullopt;
    }
    case analytics::KnobKind::Cgroup:
      return knob_from_id("cgroup." + k.name);
    case analytics::KnobKind::Block: {
      auto slash = k.name.rfind('/');
      return knob_from_id("block." + k.name.substr(slash == std::string::npos ? 0 : slash + 1));
    }
  }
  return std::nullopt;
}

Objective objective_for(const Knob& k) {
  std::string id = k.target;
  switch (k.kind) {
    case KnobKind::CpuMax:
    case KnobKind::CfsQuota:
    case KnobKind::CpuWeight:
    case KnobKind::CpuShares:
      return {"cgroup " + id + " CPU used (CPUs)", true, [id](const model::Snapshot& s) {
                return rate(s, ComponentKind::Cgroup, id, MetricId::CgCpuUsage);
              }};
    case KnobKind::MemoryHigh:
    case KnobKind::MemoryLimit:
      return {"cgroup " + id + " memory stall (s/s)", false, [id](const model::Snapshot& s) {
                return rate(s, ComponentKind::Cgroup, id, MetricId::PsiMemorySome);
              }};
    case KnobKind::ReadAheadKb:
      return {"disk " + id + " read bytes/s", true, [id](const model::Snapshot& s) {
                return rate(s, ComponentKind::Disk, id, MetricId::DiskReadBytes);
              }};
    case KnobKind::NrRequests:
    case KnobKind::Scheduler:
      return {"disk " + id + " operations/s", true, [id](const model::Snapshot& s) {
                return rate(s, ComponentKind::Disk, id, MetricId::DiskReadOps) +
                       rate(s, ComponentKind::Disk, id, MetricId::DiskWriteOps);
              }};
    case KnobKind::Somaxconn:
    case KnobKind::TcpMaxSynBacklog:
      return {"listen overflows/s (host)", false, [](const model::Snapshot& s) {
                return rate(s, ComponentKind::Host, "host", MetricId::TcpListenOverflows);
              }};
    case KnobKind::TcpRmemMax:
    case KnobKind::TcpWmemMax:
    case KnobKind::RmemMax:
    case KnobKind::WmemMax:
      return {"TCP bytes received/s (host)", true, [](const model::Snapshot& s) {
                return rate(s, ComponentKind::Host, "host", MetricId::TcpRxBytes);
              }};
    case KnobKind::DirtyBackgroundRatio:
    case KnobKind::DirtyRatio:
      return {"host I/O stall (s/s)", false, [](const model::Snapshot& s) {
                return rate(s, ComponentKind::Host, "host", MetricId::PsiIoSome);
              }};
  }
  return {};
}

}  // namespace

std::optional<Proposal> from_recommendation(const analytics::Recommendation& r,
                                            const TunerOptions& options) {
  auto kind = kind_of(r.knob);
  if (!kind || *kind == KnobKind::Scheduler) return std::nullopt;
  Knob k{*kind, "", 0};
  std::string netns_name;
  switch (spec(*kind).target) {
    case TargetKind::Netns:
      k.target = r.knob.netns.empty() ? "" : "/var/run/netns/" + r.knob.netns;
      k.netns_inode = netns_inode(k.target);
      netns_name = r.knob.netns.empty() ? "host" : r.knob.netns;
      if (!k.netns_inode) return std::nullopt;
      break;
    case TargetKind::Host:
      break;
    case TargetKind::Cgroup:
      k.target = r.knob.cgroup;
      break;
    case TargetKind::Disk:
      k.target = r.knob.device;
      break;
  }
  std::string cur, err;
  if (!read_knob(k, cur, err, options.cgroup_root)) return std::nullopt;
  double now = numeric_value(*kind, cur), want = numeric_value(*kind, r.proposed_value);
  if (!std::isfinite(now) || std::isnan(want) || now == want) return std::nullopt;
  // The recommendation is where to go; kpulse still moves there in bounded steps.
  double next = step_toward(now, want, options.step_fraction, 1, spec(*kind));
  Proposal p;
  p.scenario = r.scenario;
  p.knob = k;
  p.netns_name = netns_name;
  p.current_raw = cur;
  p.proposed_raw = compose_value(*kind, cur, next, -INFINITY, INFINITY);
  if (p.proposed_raw == cur) return std::nullopt;
  p.evidence = fmt::format("{} [recommendation {}, confidence {:.2f}: {}]", r.evidence, r.id,
                           r.confidence, r.rationale);
  p.expected_gain = r.expected_gain;
  p.objective = objective_for(k);
  return p;
}

}  // namespace kpulse::tune

