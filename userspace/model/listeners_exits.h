// Listeners and exited tasks as catalog components, and typed views of them.
//
// Both are components like any other (kinds Listener and Exited, metrics in
// metrics.def), so JSON, recordings, the TUI and the exporters handle them
// with no code of their own. The structs below are what the collectors fill
// and what code that reasons about one listener or one exit reads; the
// conversions here are the only place their fields meet the catalog.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace kpulse::model {

// A task that exited during the interval, with what it used over its life.
// Component: id = pid, kernel_id = tgid, name = comm, parent = cgroup path.
struct ExitedTask {
  uint32_t pid = 0;
  uint32_t tgid = 0;
  std::string comm;
  std::string cgroup;  // cgroup path
  double lifetime_s = 0;
  // When the last thread left, on the snapshot's clock (Snapshot::time_ns,
  // in seconds): where the exit falls in the interval. 0 when unknown (a
  // recording made before kpulse kept it).
  double exit_time_s = 0;
  double cpu_time_s = 0;
  uint64_t major_faults = 0;
  uint64_t minor_faults = 0;
  uint64_t read_bytes = 0;  // block I/O attributed to the task
  uint64_t write_bytes = 0;
  int32_t exit_code = 0;
  bool operator==(const ExitedTask&) const = default;
};

// A TCP listening socket, with its accept-queue state (sock_diag) and the
// overflows kpulse saw on it (BPF). Component: id = listener_id(netns,
// address), kernel_id = netns inode, name = owner's comm, parent = owner's
// cgroup, detail = owner's pid ("" when unknown).
struct Listener {
  uint64_t netns = 0;    // network namespace inode
  std::string address;   // "127.0.0.1:8080", "[::]:22"
  uint32_t backlog = 0;  // accept-queue limit fixed at listen()
  uint32_t queued = 0;   // connections waiting to be accepted
  double overflows = 0;  // cumulative
  double overflows_delta = 0;
  uint32_t pid = 0;  // an owner process when known
  std::string comm;
  std::string cgroup;
  bool operator==(const Listener&) const = default;
};

// "4026531840/127.0.0.1:8080": unique per network namespace and address.
std::string listener_id(uint64_t netns, std::string_view address);
// The address part of a listener component's id.
std::string_view listener_address(const Component& c);

Component to_component(const ExitedTask& e);
Component to_component(const Listener& l);
ExitedTask exited_task_of(const Component& c);
Listener listener_of(const Component& c);

// The snapshot's components of that kind, as typed records, in order.
std::vector<ExitedTask> exited_tasks(const Snapshot& s);
std::vector<Listener> listeners(const Snapshot& s);

}  // namespace kpulse::model
