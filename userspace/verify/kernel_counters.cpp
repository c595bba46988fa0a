#include "verify/kernel_counters.h"

#include <dirent.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "collect/cgroup_layout.h"
#include "collect/cgroup_resolver.h"
#include "collect/net_interfaces.h"
#include "collect/netns.h"

namespace kpulse::verify {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

void read_proc_stat(KernelCounters& k) {
  std::istringstream in(slurp("/proc/stat"));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("cpu")) continue;
    std::istringstream f(line);
    std::string name;
    std::array<uint64_t, 8> t{};
    f >> name;
    for (auto& v : t) f >> v;
    k.cpu_ticks[name == "cpu" ? "host" : name] = t;
  }
}

void read_disks(KernelCounters& k) {
  std::istringstream in(slurp("/proc/diskstats"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    unsigned major = 0, minor = 0;
    std::string name;
    uint64_t v[11] = {};
    f >> major >> minor >> name;
    for (auto& x : v) f >> x;
    const std::string sys = "/sys/block/" + name;
    if (!exists(sys)) continue;  // a partition: its disk counts it already
    DiskCounters d;
    d.read_ops = v[0];
    d.read_sectors = v[2];
    d.write_ops = v[4];
    d.write_sectors = v[6];
    d.io_ticks_ms = v[9];
    std::istringstream inflight(slurp(sys + "/inflight"));
    uint64_t r = 0, w = 0;
    inflight >> r >> w;
    d.inflight = r + w;
    d.request_based = exists(sys + "/mq");
    k.disks[name] = d;
  }
}

void add_netns(KernelCounters& k, const collect::NetnsRef& ns, const std::string& dev,
               const std::string& snmp, const std::string& suffix) {
  for (const auto& row : collect::parse_net_dev(dev))
    k.interfaces[row.name + suffix] = {row.rx_bytes + row.tx_bytes,
                                       row.rx_packets + row.tx_packets};
  if (!snmp.empty()) k.retrans_segs[ns.inode] = retrans_segs(snmp);
}

void read_network(KernelCounters& k) {
  std::string error;
  for (const auto& ns : collect::list_netns()) {
    std::string dev, snmp;
    if (ns.path.empty()) {
      dev = slurp("/proc/net/dev");
      snmp = slurp("/proc/net/snmp");
      add_netns(k, ns, dev, snmp, "");
      continue;
    }
    if (ns.path.starts_with("/proc/")) {
      const std::string dir = ns.path.substr(0, ns.path.size() - 6);  // drop "ns/net"
      dev = slurp(dir + "net/dev");
      snmp = slurp(dir + "net/snmp");
    } else {
      collect::run_in_netns(
          ns.path,
          [&] {
            dev = slurp("/proc/thread-self/net/dev");
            snmp = slurp("/proc/thread-self/net/snmp");
          },
          error);
    }
    add_netns(k, ns, dev, snmp, "@" + ns.name);
  }
}

void read_vmstat_and_pressure(KernelCounters& k) {
  std::istringstream in(slurp("/proc/vmstat"));
  std::string name;
  uint64_t value = 0;
  while (in >> name >> value)
    if (name == "pgmajfault") k.pgmajfault = value;
  for (const char* res : {"cpu", "memory", "io"}) {
    std::istringstream p(slurp(std::string("/proc/pressure/") + res));
    std::string line;
    while (std::getline(p, line)) {
      const auto total = line.find("total=");
      if (total == std::string::npos) continue;
      k.psi_total_us[std::string(res) + "." + line.substr(0, line.find(' '))] =
          std::stoull(line.substr(total + 6));
    }
  }
}

std::optional<uint64_t> number_in(const std::string& path, const std::string& key = "") {
  std::istringstream in(slurp(path));
  if (key.empty()) {
    uint64_t v;
    if (in >> v) return v;
    return std::nullopt;
  }
  std::string name;
  uint64_t v;
  while (in >> name >> v)
    if (name == key) return v;
  return std::nullopt;
}

// /proc/TID/schedstat: on-CPU ns, run-queue wait ns, waits ended on a CPU.
void add_schedstat(uint64_t tid, CgroupCounters& c) {
  std::istringstream in(slurp("/proc/" + std::to_string(tid) + "/schedstat"));
  uint64_t oncpu = 0, delay = 0, waits = 0;
  in >> oncpu >> delay >> waits;
  c.run_delay_ns += delay;
  c.run_waits += waits;
}

void read_cgroups(KernelCounters& k) {
  const auto layout = collect::detect_cgroup_layout();
  const std::string v2 = layout.v2_root;
  const std::string cpuacct = layout.v1_dir("cpuacct"), memory = layout.v1_dir("memory");
  std::set<std::string> paths;
  if (!v2.empty())
    for (auto& e : collect::list_cgroups(v2)) paths.insert(std::move(e.path));
  for (auto& p : collect::list_v1_cgroup_paths(layout)) paths.insert(std::move(p));
  for (const auto& path : paths) {
    CgroupCounters c;
    const std::string rel = path == "/" ? "" : path;
    if (!v2.empty()) {
      if (auto usec = number_in(v2 + rel + "/cpu.stat", "usage_usec"))
        c.cpu_usage_ns = *usec * 1000;
      c.memory_bytes = number_in(v2 + rel + "/memory.current");
    }
    if (!c.cpu_usage_ns && !cpuacct.empty())
      c.cpu_usage_ns = number_in(cpuacct + rel + "/cpuacct.usage");
    if (!c.memory_bytes && !memory.empty())
      c.memory_bytes = number_in(memory + rel + "/memory.usage_in_bytes");
    if (!v2.empty() && path != "/") {
      std::istringstream threads(slurp(v2 + rel + "/cgroup.threads"));
      uint64_t tid;
      while (threads >> tid) {
        c.threads.insert(tid);
        add_schedstat(tid, c);
      }
    }
    k.cgroups[path] = std::move(c);
  }
  // Each cgroup's threads, delays and waits include its descendants' (kpulse's
  // cgroup figures are rolled up the tree). Deepest paths first.
  for (auto it = k.cgroups.rbegin(); it != k.cgroups.rend(); ++it) {
    const std::string parent = collect::cgroup_parent(it->first);
    if (parent.empty() || parent == "/") continue;
    auto p = k.cgroups.find(parent);
    if (p == k.cgroups.end()) continue;
    p->second.run_delay_ns += it->second.run_delay_ns;
    p->second.run_waits += it->second.run_waits;
    p->second.threads.insert(it->second.threads.begin(), it->second.threads.end());
  }
}

}  // namespace

uint64_t retrans_segs(const std::string& snmp) {
  std::istringstream in(snmp);
  std::string header, values;
  while (std::getline(in, header)) {
    if (!header.starts_with("Tcp:") || !std::getline(in, values)) continue;
    std::istringstream h(header), v(values);
    std::string name, value;
    while (h >> name && v >> value)
      if (name == "RetransSegs") return std::stoull(value);
  }
  return 0;
}

KernelCounters read_kernel_counters() {
  KernelCounters k;
  k.time_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  read_proc_stat(k);
  read_vmstat_and_pressure(k);
  read_disks(k);
  read_network(k);
  read_cgroups(k);
  return k;
}

}  // namespace kpulse::verify
