// The SYN queue side of accept-queue overflows: net.ipv4.tcp_max_syn_backlog
// in the listener's namespace. It moves with net.core.somaxconn (the
// somaxconn tuner raises the accept-queue cap; a SYN queue left below it
// fills first), and on its own when SYNs are dropped for a full request queue.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "tune/netns.h"
#include "tune/netns_counters.h"
#include "tune/plans.h"
#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

struct NsCounters {
  CounterHistory overflows, drops;  // ListenOverflows, TCPReqQFullDrop

  // Overflows + SYN drops per second over the recent snapshots.
  [[nodiscard]] std::vector<double> recent_rates() const {
    std::vector<double> out;
    for (size_t i = 0; i < overflows.rates.size() && i < drops.rates.size(); ++i)
      out.push_back(overflows.rates[i] + drops.rates[i]);
    return out;
  }
};

// Accept-queue overflows plus SYN-queue drops: what this knob should reduce.
double drops_total(const NetnsTcpCounters& c) {
  return std::max(0.0, c.listen_overflows) + std::max(0.0, c.reqq_full_drops);
}

// The raise of one namespace's SYN queue, given its accept-queue overflow
// and SYN-drop rates; nothing when the queue is where it should be.
std::optional<Proposal> raise_for(const NetnsRef& ns, const NetnsTcpCounters& c,
                                  const NsCounters& h, double over, double drops,
                                  const TuneContext& ctx) {
  Knob k{KnobKind::TcpMaxSynBacklog, ns.path, ns.inode};
  Knob cap{KnobKind::Somaxconn, ns.path, ns.inode};
  std::string raw, cap_raw, err;
  if (!read_knob(k, raw, err) || !read_knob(cap, cap_raw, err)) return std::nullopt;
  double cur = numeric_value(k.kind, raw), somax = numeric_value(cap.kind, cap_raw);
  auto next = plan_syn_backlog(cur, somax, over, drops, ctx.options);
  if (!next) return std::nullopt;
  Proposal p;
  p.scenario = drops > 0 ? "syn_queue_full" : "listen_overflows";
  p.diagnosis = drops > 0 ? "SYN queue full" : "SYN queue below the accept queue cap";
  p.severity = over + drops;
  p.knob = k;
  p.netns_name = ns.name;
  p.current_raw = raw;
  p.proposed_raw = compose_value(k.kind, raw, *next, 0, ctx.options.syn_backlog_max);
  p.evidence = fmt::format(
      "netns {}: {:.0f} accept-queue overflows/s, {:.0f} SYNs/s dropped for a full request "
      "queue; tcp_max_syn_backlog {} with somaxconn {}",
      ns.name, over, drops, raw, cap_raw);
  p.expected_gain = fmt::format(
      "SYN drops and overflows {:.0f}/s expected to fall toward 0/s (SYN queue {} -> {:.0f}); "
      "each is a connect retried after >= 1 s",
      over + drops, raw, *next);
  p.note = "applies to new SYNs at once; the accept queue still needs somaxconn";
  p.baseline = h.recent_rates();
  p.objective = {"netns " + ns.name + " listen overflows + SYN drops/s", false,
                 netns_rate_sampler(ns.path, drops_total(c), drops_total)};
  return p;
}

class SynBacklogTuner : public Tuner {
 public:
  std::string name() const override { return "syn_backlog"; }

  std::vector<Proposal> propose(const TuneContext& ctx) override {
    std::vector<Proposal> out;
    const model::Snapshot& s = ctx.history.back();
    for (const auto& ns : list_netns()) {
      NetnsTcpCounters c;
      std::string err;
      if (!read_netns_tcp(ns.path, c, err) || c.listen_overflows < 0) continue;
      NsCounters& h = hist_[ns.inode];
      const double over = h.overflows.advance(c.listen_overflows, s.interval_s);
      const double drops = h.drops.advance(std::max(0.0, c.reqq_full_drops), s.interval_s);
      if (std::isnan(over)) continue;  // the first reading
      if (auto p = raise_for(ns, c, h, over, drops, ctx)) out.push_back(std::move(*p));
    }
    return out;
  }

 private:
  std::map<uint64_t, NsCounters> hist_;
};

}  // namespace

std::unique_ptr<Tuner> make_syn_backlog_tuner() {
  return std::make_unique<SynBacklogTuner>();
}

}  // namespace kpulse::tune
