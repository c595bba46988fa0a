#include "tune/netns_counters.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "tune/netns.h"

namespace kpulse::tune {
namespace {

// /proc/net/{snmp,netstat} hold pairs of lines: "Prefix: names..." then
// "Prefix: values...". Returns the value of `name` under `prefix`, or -1.
double counter(const std::string& file, const std::string& prefix, const std::string& name) {
  std::ifstream f(file);
  std::string header, values;
  while (std::getline(f, header) && std::getline(f, values)) {
    if (header.rfind(prefix + ":", 0) != 0) continue;
    std::istringstream hn(header), hv(values);
    std::string n, v;
    while (hn >> n && hv >> v)
      if (n == name) return std::atof(v.c_str());
  }
  return -1;
}

// Bytes received over every interface in /proc/net/dev ("lo: 1234 ...").
double rx_bytes(const std::string& file) {
  std::ifstream f(file);
  std::string line;
  double sum = -1;
  while (std::getline(f, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::istringstream in(line.substr(colon + 1));
    double b = 0;
    if (in >> b) sum = std::max(sum, 0.0) + b;
  }
  return sum;
}

}  // namespace

bool read_netns_tcp(const std::string& netns_path, NetnsTcpCounters& out, std::string& error) {
  return run_in_netns(
      netns_path,
      [&] {
        // thread-self: /proc/self/net would show the main thread's namespace.
        out.in_segs = counter("/proc/thread-self/net/snmp", "Tcp", "InSegs");
        out.out_segs = counter("/proc/thread-self/net/snmp", "Tcp", "OutSegs");
        out.listen_overflows =
            counter("/proc/thread-self/net/netstat", "TcpExt", "ListenOverflows");
        out.reqq_full_drops = counter("/proc/thread-self/net/netstat", "TcpExt", "TCPReqQFullDrop");
        out.rx_bytes = rx_bytes("/proc/thread-self/net/dev");
      },
      error);
}

double CounterHistory::advance(double count, double interval_s) {
  const double prev = last;
  last = count;
  if (prev < 0 || interval_s <= 0) return std::nan("");
  const double r = model::rate_of(count - prev, interval_s);
  rates.push_back(r);
  if (rates.size() > kRecentRates) rates.pop_front();
  return r;
}

std::function<double(const model::Snapshot&)> netns_rate_sampler(
    std::string netns_path, double initial, std::function<double(const NetnsTcpCounters&)> count) {
  auto last = std::make_shared<double>(initial);
  return [last, path = std::move(netns_path), count = std::move(count)](const model::Snapshot& s) {
    NetnsTcpCounters now;
    std::string error;
    if (!read_netns_tcp(path, now, error) || s.interval_s <= 0) return std::nan("");
    const double total = count(now);
    const double rate = model::rate_of(total - *last, s.interval_s);
    *last = total;
    return rate;
  };
}

}  // namespace kpulse::tune
