// Accept-queue overflows on a listener whose backlog is capped by somaxconn:
// raise net.core.somaxconn in the listener's namespace. A backlog is fixed at
// listen(), so the gain shows only once the service re-listens or reloads.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <memory>
#include <unordered_set>

#include "collect/tcp_listeners.h"
#include "tune/netns.h"
#include "tune/netns_counters.h"
#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

class SomaxconnTuner : public Tuner {
 public:
  std::string name() const override { return "somaxconn"; }

  std::vector<Proposal> propose(const TuneContext& ctx) override {
    std::vector<Proposal> out;
    const model::Snapshot& s = ctx.history.back();
    for (const auto& ns : list_netns()) {
      NetnsTcpCounters c;
      std::string err;
      if (!read_netns_tcp(ns.path, c, err) || c.listen_overflows < 0) continue;
      CounterHistory& h = hist_[ns.inode];  // ListenOverflows
      const double r = h.advance(c.listen_overflows, s.interval_s);
      if (!(r > 0)) continue;  // NaN: the first reading

      Knob k{KnobKind::Somaxconn, ns.path, ns.inode};
      std::string raw;
      if (!read_knob(k, raw, err)) continue;
      double cur = numeric_value(k.kind, raw);
      if (!(cur < ctx.options.somaxconn_max)) continue;
      // Which listeners are capped: their backlog equals somaxconn.
      std::vector<collect::ListenerSocket> socks;
      std::string derr;
      run_in_netns(
          ns.path, [&] { collect::dump_tcp_listeners(socks, derr); }, err);
      std::string capped;
      std::unordered_set<uint64_t> inodes;
      for (const auto& sock : socks)
        if (sock.listener.backlog >= cur) inodes.insert(sock.inode);
      if (inodes.empty()) continue;  // overflows come from listeners asking for less
      auto owners = collect::find_socket_owners(inodes);
      for (const auto& sock : socks) {
        if (!inodes.count(sock.inode)) continue;
        auto o = owners.find(sock.inode);
        capped += fmt::format("{}{} backlog {} queued {}{}", capped.empty() ? "" : "; ",
                              sock.listener.address, sock.listener.backlog, sock.listener.queued,
                              o == owners.end()
                                  ? std::string()
                                  : fmt::format(" ({} pid {})", o->second.comm, o->second.pid));
      }
      double next =
          step_toward(cur, ctx.options.somaxconn_max, ctx.options.step_fraction, 128, spec(k.kind));
      Proposal p;
      p.scenario = "listen_overflows";
      p.diagnosis = "accept queue capped by somaxconn";
      p.severity = r;
      p.knob = k;
      p.netns_name = ns.name;
      p.current_raw = raw;
      p.proposed_raw = compose_value(k.kind, raw, next, 0, ctx.options.somaxconn_max);
      p.evidence = fmt::format("netns {}: {:.0f} accept-queue overflows/s; capped listeners: {}",
                               ns.name, r, capped);
      p.expected_gain = fmt::format(
          "accept-queue overflows {:.0f}/s -> 0/s once the capped listeners re-listen (their "
          "queue cap {} -> {:.0f}); each overflow is a connect retried after >= 1 s",
          r, raw, next);
      p.note = "takes effect when the service re-listens or reloads";
      p.baseline.assign(h.rates.begin(), h.rates.end());
      // Re-listening takes time: give the service a few intervals.
      p.settle_intervals = 2;
      p.objective = {"netns " + ns.name + " listen overflows/s", false,
                     netns_rate_sampler(ns.path, c.listen_overflows, [](const NetnsTcpCounters& n) {
                       return n.listen_overflows;
                     })};
      out.push_back(std::move(p));
    }
    return out;
  }

 private:
  std::map<uint64_t, CounterHistory> hist_;
};

}  // namespace

std::unique_ptr<Tuner> make_somaxconn_tuner() {
  return std::make_unique<SomaxconnTuner>();
}

}  // namespace kpulse::tune
