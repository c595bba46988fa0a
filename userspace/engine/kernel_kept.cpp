#include "engine/kernel_kept.h"

#include "collect/filesystem_usage.h"
#include "collect/host_stats.h"
#include "collect/link_stats.h"
#include "collect/net_interfaces.h"
#include "collect/pressure.h"
#include "engine/delta_tracker.h"

namespace kpulse::engine {

std::vector<model::Component> read_kernel_kept(const char* proc_root, const char* sys_root,
                                               collect::DiskNames& disk_names,
                                               collect::TcpHostCounters& tcp,
                                               collect::OtherNetnsInterfaces& other_netns) {
  std::vector<model::Component> comps;
  model::Component host = collect::make_host_component();
  std::vector<model::Component> cpus;
  collect::read_host(proc_root, host, cpus);
  collect::read_host_pressure(proc_root, host);
  tcp = {};
  collect::read_tcp_counters(tcp, proc_root);
  comps.push_back(std::move(host));
  for (auto& c : cpus) comps.push_back(std::move(c));
  collect::DiskReadResult disks;
  if (collect::read_diskstats(proc_root, sys_root, disks)) {
    disk_names.update(disks.names);
    collect::add_filesystem_usage(proc_root, sys_root, disks.disks);
    for (auto& d : disks.disks) comps.push_back(std::move(d));
  }
  // The live /sys: one netlink dump gives the same counters (link_stats.h);
  // another root (a test's tree) or no netlink: the sysfs files.
  auto interfaces =
      std::string_view(sys_root) == "/sys" ? collect::read_link_stats() : std::nullopt;
  if (!interfaces) interfaces = collect::read_interfaces(sys_root);
  for (auto& i : *interfaces) comps.push_back(std::move(i));
  for (auto& i : other_netns.read()) comps.push_back(std::move(i));
  for (auto& c : comps) DeltaTracker::mark_unknown(c);
  return comps;
}

}  // namespace kpulse::engine
