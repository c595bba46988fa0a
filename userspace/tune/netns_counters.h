// TCP counters of one network namespace (read from inside it), for tuners
// that act per namespace.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "model/snapshot.h"

namespace kpulse::tune {

struct NetnsTcpCounters {
  double in_segs = -1, out_segs = -1;  // Tcp InSegs / OutSegs
  double listen_overflows = -1;        // TcpExt ListenOverflows
  double reqq_full_drops = -1;         // TcpExt TCPReqQFullDrop (SYN queue full)
  double rx_bytes = -1;                // bytes received on the namespace's interfaces (lo too)
};

// Reads the counters of the namespace at `netns_path` ("" = ours).
bool read_netns_tcp(const std::string& netns_path, NetnsTcpCounters& out, std::string& error);

// What a per-namespace tuner keeps of one counter between snapshots: the last
// cumulative count and the recent rates (the baseline of a proposal).
struct CounterHistory {
  static constexpr size_t kRecentRates = 30;
  double last = -1;          // cumulative count; -1 before the first reading
  std::deque<double> rates;  // per snapshot, the last kRecentRates

  // Takes a new cumulative `count` and returns its per-second rate since the
  // last one (kept in `rates`); NaN on the first reading or when the
  // interval is unknown.
  double advance(double count, double interval_s);
};

// An objective sample for per-namespace tuners: the rate per second of
// `count(counters)` in the namespace at `netns_path`, from `initial` (the
// count when the proposal was made) on; NaN when the namespace cannot be
// read. Not a pure function of the snapshot: it keeps the last count.
std::function<double(const model::Snapshot&)> netns_rate_sampler(
    std::string netns_path, double initial, std::function<double(const NetnsTcpCounters&)> count);

}  // namespace kpulse::tune
