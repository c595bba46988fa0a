#include "collect/net_interfaces.h"

#include <dirent.h>

#include <algorithm>

#include "collect/netns.h"
#include "collect/text_file.h"

namespace kpulse::collect {

using model::MetricId;

std::vector<model::Component> read_interfaces(const std::string& sys_root, Problems* problems) {
  std::vector<model::Component> out;
  const std::string base = sys_root + "/class/net";
  DIR* dir = ::opendir(base.c_str());
  if (!dir) return out;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (n == "." || n == ".." || n == "bonding_masters") continue;
    names.emplace_back(n);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());

  static constexpr std::pair<const char*, MetricId> kStats[] = {
      {"rx_bytes", MetricId::IfRxBytes},     {"tx_bytes", MetricId::IfTxBytes},
      {"rx_packets", MetricId::IfRxPackets}, {"tx_packets", MetricId::IfTxPackets},
      {"rx_dropped", MetricId::IfRxDrops},   {"tx_dropped", MetricId::IfTxDrops},
      {"rx_errors", MetricId::IfRxErrors},   {"tx_errors", MetricId::IfTxErrors}};
  std::string buf;
  for (const auto& name : names) {
    std::string dir_path = base;
    dir_path += '/';
    dir_path += name;
    auto ifindex = read_u64_file(dir_path + "/ifindex");
    if (!ifindex) continue;  // not an interface, or removed since readdir
    model::Component c;
    c.kind = model::ComponentKind::Interface;
    c.id = name;
    c.name = name;
    c.kernel_id = *ifindex;
    for (const auto& [file, id] : kStats) {
      const std::string p = dir_path + "/statistics/" + file;
      if (!read_file(p, buf)) continue;
      auto v = parse_u64(buf);
      if (!v) {
        report(problems, p, 1, "expected a number");
        continue;
      }
      c.set_counter(id, static_cast<double>(*v), 0);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<NetDevRow> parse_net_dev(std::string_view text) {
  std::vector<NetDevRow> out;
  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  while (lines.next(line)) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // the two header lines
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    split_ws(line.substr(colon + 1), f);
    if (f.size() < 16) continue;
    uint64_t v[16];
    bool ok = true;
    for (int i = 0; ok && i < 16; ++i) {
      auto x = parse_u64(f[i]);
      ok = x.has_value();
      if (ok) v[i] = *x;
    }
    if (!ok) continue;
    out.push_back({std::string(name), v[0], v[1], v[2], v[3], v[8], v[9], v[10], v[11]});
  }
  return out;
}

namespace {

// Appends the interfaces of namespace `ns` (not ours); false when it could
// not be read (its process exited, or it is gone).
bool read_netns_interfaces(const NetnsRef& ns, std::string& text,
                           std::vector<model::Component>& out, Problems* problems) {
  std::string error;
  text.clear();
  if (ns.path.starts_with("/proc/")) {
    // /proc/PID/ns/net -> /proc/PID/net/dev: that process's namespace.
    const std::string dev =
        ns.path.substr(0, ns.path.size() - std::string_view("ns/net").size()) + "net/dev";
    if (!read_file(dev, text)) return false;  // exited meanwhile
  } else if (!run_in_netns(
                 ns.path, [&] { read_file("/proc/thread-self/net/dev", text); }, error)) {
    report(problems, ns.path, 0, error);
    return false;
  }
  for (const auto& row : parse_net_dev(text)) {
    model::Component c;
    c.kind = model::ComponentKind::Interface;
    c.id = c.name = row.name + "@" + ns.name;
    c.detail = "netns " + std::to_string(ns.inode);
    c.set_counter(MetricId::IfRxBytes, double(row.rx_bytes), 0);
    c.set_counter(MetricId::IfTxBytes, double(row.tx_bytes), 0);
    c.set_counter(MetricId::IfRxPackets, double(row.rx_packets), 0);
    c.set_counter(MetricId::IfTxPackets, double(row.tx_packets), 0);
    c.set_counter(MetricId::IfRxDrops, double(row.rx_drops), 0);
    c.set_counter(MetricId::IfTxDrops, double(row.tx_drops), 0);
    c.set_counter(MetricId::IfRxErrors, double(row.rx_errors), 0);
    c.set_counter(MetricId::IfTxErrors, double(row.tx_errors), 0);
    out.push_back(std::move(c));
  }
  return true;
}

}  // namespace

std::vector<model::Component> read_other_netns_interfaces(Problems* problems) {
  return OtherNetnsInterfaces(1).read(problems);
}

std::vector<model::Component> OtherNetnsInterfaces::read(Problems* problems) {
  if (relist_ || reads_since_list_ >= relist_every_) {
    netns_ = list_netns();
    reads_since_list_ = 0;
    relist_ = false;
  }
  ++reads_since_list_;
  std::vector<model::Component> out;
  std::string text;
  for (const auto& ns : netns_)
    if (!ns.path.empty() && !read_netns_interfaces(ns, text, out, problems))
      relist_ = true;  // ours (path "") is read from sysfs
  return out;
}

void OtherNetnsInterfaces::relist_from(const std::vector<uint32_t>& pids) {
  netns_ = list_netns(pids);
  reads_since_list_ = 0;
  relist_ = false;
}

}  // namespace kpulse::collect
