// Both ends of a UDP exchange over loopback, for tests that check which
// cgroup datagram bytes are charged to. Run each end in a Child (a forked
// copy of the test); the sink reports what it read through shared memory.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "test_env.h"

namespace kpulse::testing {

// What the sink read, in memory shared with the test (see shared_udp_tally).
struct UdpTally {
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> datagrams{0};
  std::atomic<int> ready{0};  // 1 once bound, -1 if it could not bind
};

// A tally in an anonymous shared mapping: a forked sink writes, the test reads.
// Released by release_udp_tally.
UdpTally* shared_udp_tally();
void release_udp_tally(UdpTally* t);

// Binds 127.0.0.1:`port` and reads datagrams until an empty one arrives or
// nothing has come for 5 s, adding each datagram's size to `tally`.
// Returns 0 when the empty datagram ended it.
int udp_sink(int port, UdpTally* tally);

// Sends `count` datagrams of `size` payload bytes to 127.0.0.1:`port`, pacing
// them so the sink's receive buffer keeps up, then the empty one that ends the
// sink. Returns 0 when every send took the whole datagram.
int udp_send(int port, int count, std::size_t size);

// Runs both ends, the sink in `receiver` and the sender in `sender`, and
// returns the bytes the sink read; nullopt (with the reason in `error`) when
// either end failed.
std::optional<uint64_t> udp_exchange(const TestCgroup& sender, const TestCgroup& receiver, int port,
                                     int count, std::size_t size, std::string& error);

}  // namespace kpulse::testing
