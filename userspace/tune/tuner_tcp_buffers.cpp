// TCP throughput held back by small socket buffer ceilings: raise the max
// field of net.ipv4.tcp_rmem / tcp_wmem in the namespace carrying the traffic,
// and net.core.rmem_max / wmem_max (global: read-only inside other
// namespaces) when a busy namespace's TCP maximum is above them, since an
// application setting SO_RCVBUF/SO_SNDBUF is capped by the core maximum.
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "tune/netns.h"
#include "tune/netns_counters.h"
#include "tune/plans.h"
#include "tune/tuners.h"

namespace kpulse::tune {
namespace {

using model::ComponentKind;
using model::MetricId;

// Below this ceiling autotuning cannot open a window big enough for a fast
// local or LAN path (the kernel default max is 4-6 MiB).
constexpr double kSmallBuffer = 1024 * 1024;
constexpr double kBusySegs = 200;  // segments/s that make a namespace worth tuning
// ...carrying data: a SYN flood makes many segments and few bytes, and no
// buffer size helps it.
constexpr double kBusyBytes = 1024 * 1024;

double tcp_bytes(const model::Snapshot& s) {
  double v = rate(s, ComponentKind::Host, "host", MetricId::TcpRxBytes);
  if (!std::isnan(v)) return v;
  // Without BPF: what the host namespace's own interfaces received (other
  // namespaces' ones, "IFNAME@NETNS", would count a veth pair twice).
  double sum = 0;
  for (const auto& c : s.components)
    if (c.kind == ComponentKind::Interface && c.id != "lo" && c.id.find('@') == std::string::npos)
      sum += c.rate(MetricId::IfRxBytes, s.interval_s);
  return sum;
}

// The largest TCP maximum among busy namespaces, per core knob
// (net.core.rmem_max / wmem_max), and where it was seen.
using CoreWants = std::map<KnobKind, std::pair<double, std::string>>;

// A core maximum below a busy namespace's TCP maximum caps applications that
// size their buffers themselves: raise it (advice only without host-wide).
void propose_core_buffers(const CoreWants& core_want, const TuneContext& ctx,
                          std::vector<Proposal>& out) {
  for (const auto& [core, want] : core_want) {
    Knob k{core, "", 0};
    std::string raw, err;
    if (!read_knob(k, raw, err)) continue;
    double cur = numeric_value(core, raw);
    auto next = plan_core_buffer(core, cur, want.first, ctx.options);
    if (!next) continue;
    Proposal p;
    p.scenario = "core_buffer_below_tcp_max";
    p.diagnosis = "host-wide socket buffer ceiling";
    p.advice_only = !ctx.options.host_wide;
    p.knob = k;
    p.current_raw = raw;
    p.proposed_raw = compose_value(core, raw, *next, 0, ctx.options.tcp_buffer_max);
    p.evidence = fmt::format("{} {:.0f} KiB is below the TCP maximum {:.0f} KiB of busy {}",
                             spec(core).id, cur / 1024, want.first / 1024, want.second);
    p.expected_gain = fmt::format(
        "applications sizing their socket buffers (SO_RCVBUF/SO_SNDBUF) get up to {:.0f} KiB "
        "instead of {:.0f} KiB (x{:.1f})",
        *next / 1024, cur / 1024, *next / cur);
    p.note = p.advice_only ? "advice only: host-wide knob, enable with --allow-host-wide; "
                             "autotuned sockets are capped by tcp_[rw]mem only"
                           : "autotuned sockets are capped by tcp_[rw]mem only; this helps "
                             "explicit sizes";
    p.objective = {"TCP bytes received/s (host)", true, tcp_bytes};
    out.push_back(std::move(p));
  }
}

class TcpBufferTuner : public Tuner {
 public:
  std::string name() const override { return "tcp_buffers"; }

  std::vector<Proposal> propose(const TuneContext& ctx) override {
    std::vector<Proposal> out;
    const model::Snapshot& s = ctx.history.back();
    std::map<uint64_t, std::pair<double, double>> now;  // segments, bytes
    CoreWants core_want;
    for (const auto& ns : list_netns()) {
      NetnsTcpCounters c;
      std::string err;
      if (!read_netns_tcp(ns.path, c, err) || c.in_segs < 0) continue;
      double total = c.in_segs + c.out_segs;
      now[ns.inode] = {total, c.rx_bytes};
      auto prev = last_.find(ns.inode);
      if (prev == last_.end() || s.interval_s <= 0) continue;
      double segs = model::rate_of(total - prev->second.first, s.interval_s);
      double bytes = model::rate_of(c.rx_bytes - prev->second.second, s.interval_s);
      if (segs < kBusySegs || !(bytes >= kBusyBytes)) continue;
      // The global maxima answer only the host's own traffic: a namespace's
      // problem is answered with that namespace's knobs.
      const bool host_ns = ns.path.empty();
      bool proposed = false;
      for (KnobKind kind : {KnobKind::TcpRmemMax, KnobKind::TcpWmemMax}) {
        Knob k{kind, ns.path, ns.inode};
        std::string raw;
        if (!read_knob(k, raw, err)) continue;
        double cur = numeric_value(kind, raw);
        KnobKind core = kind == KnobKind::TcpRmemMax ? KnobKind::RmemMax : KnobKind::WmemMax;
        if (host_ns && std::isfinite(cur) && cur > core_want[core].first)
          core_want[core] = {
              cur, fmt::format("host namespace ({:.0f} TCP segments/s, {:.1f} MiB/s)", segs,
                               bytes / 1048576)};
        if (proposed || !(cur < kSmallBuffer)) continue;
        double next = step_toward(cur, ctx.options.tcp_buffer_max, ctx.options.step_fraction,
                                  256 * 1024, spec(kind));
        Proposal p;
        p.scenario = "tcp_buffer_limited";
        p.diagnosis = "socket buffer ceiling in the namespace";
        p.severity = segs;
        p.knob = k;
        p.netns_name = ns.name;
        p.current_raw = raw;
        p.proposed_raw = compose_value(kind, raw, next, 0, ctx.options.tcp_buffer_max);
        p.evidence = fmt::format(
            "netns {}: {:.0f} TCP segments/s, {:.1f} MiB/s received, with {} max {:.0f} KiB",
            ns.name, segs, bytes / 1048576, spec(kind).id, cur / 1024);
        // A window-limited flow moves about one window per round trip: its
        // ceiling grows with the buffer, up to what the path carries.
        p.expected_gain = fmt::format(
            "window-limited connections' throughput up to x{:.1f} ({:.1f} MiB/s now; the window "
            "ceiling {:.0f} -> {:.0f} KiB)",
            next / cur, bytes / 1048576, cur / 1024, next / 1024);
        p.note = "new sockets and autotuned ones pick it up; fixed SO_RCVBUF/SO_SNDBUF do not";
        p.objective = {"TCP bytes received/s (host)", true, tcp_bytes};
        out.push_back(std::move(p));
        proposed = true;  // one knob per namespace per round
      }
    }
    propose_core_buffers(core_want, ctx, out);
    last_ = std::move(now);
    return out;
  }

 private:
  std::map<uint64_t, std::pair<double, double>> last_;  // segments, bytes per netns
};

}  // namespace

std::unique_ptr<Tuner> make_tcp_buffer_tuner() {
  return std::make_unique<TcpBufferTuner>();
}

}  // namespace kpulse::tune
