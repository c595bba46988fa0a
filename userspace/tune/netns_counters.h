// TCP counters of one network namespace (read from inside it), for tuners
// that act per namespace.
#pragma once

#include <cstdint>
#include <string>

namespace kpulse::tune {

struct NetnsTcpCounters {
  double in_segs = -1, out_segs = -1;  // Tcp InSegs / OutSegs
  double listen_overflows = -1;        // TcpExt ListenOverflows
  double reqq_full_drops = -1;         // TcpExt TCPReqQFullDrop (SYN queue full)
};

// Reads the counters of the namespace at `netns_path` ("" = ours).
bool read_netns_tcp(const std::string& netns_path, NetnsTcpCounters& out, std::string& error);

}  // namespace kpulse::tune
