// Both ends of a bulk TCP transfer, for tests that check which cgroup the
// bytes are charged to. Run each in a Child (a forked copy of the test).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace kpulse::testing {

// Listens on `port` (all addresses), accepts one connection and reads until
// the peer shuts down its side. Returns 0 when it read at least one byte.
int tcp_sink(int port);

// Connects to `ipv4`:`port` (retrying for a few seconds while the sink comes
// up), sends `bytes` bytes, shuts down its side and waits for the sink to
// close: every byte was read by then. Returns 0 on success.
int tcp_send_all(const std::string& ipv4, int port, std::size_t bytes);

// The same, sending for `duration` instead of a byte count.
int tcp_send_for(const std::string& ipv4, int port, std::chrono::milliseconds duration);

// Sends until `bytes` are sent or `deadline` passes, whichever comes first.
int tcp_send_until(const std::string& ipv4, int port, std::size_t bytes,
                   std::chrono::steady_clock::time_point deadline);

}  // namespace kpulse::testing
