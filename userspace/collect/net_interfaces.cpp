#include "collect/net_interfaces.h"

#include <dirent.h>

#include <algorithm>

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
    const std::string dir_path = base + "/" + name;
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

}  // namespace kpulse::collect
