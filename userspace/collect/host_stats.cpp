#include "collect/host_stats.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "collect/pressure.h"
#include "collect/text_file.h"

namespace kpulse::collect {

using model::MetricId;

double clock_ticks_per_second() {
  static const double hz = [] {
    long v = ::sysconf(_SC_CLK_TCK);
    return v > 0 ? static_cast<double>(v) : 100.0;
  }();
  return hz;
}

model::Component make_host_component() {
  model::Component c;
  c.kind = model::ComponentKind::Host;
  c.id = "host";
  c.name = "host";
  return c;
}

namespace {

// /proc/stat cpu columns in order; guest time is already included in user
// (and guest_nice in nice), so those two columns are not reported again.
constexpr MetricId kCpuColumns[] = {MetricId::CpuUser,    MetricId::CpuNice,   MetricId::CpuSystem,
                                    MetricId::CpuIdle,    MetricId::CpuIowait, MetricId::CpuIrq,
                                    MetricId::CpuSoftirq, MetricId::CpuSteal};

bool fill_cpu_times(const std::vector<std::string_view>& f, model::Component& c, double hz) {
  // At least user..idle exist on every kernel kpulse can run on.
  if (f.size() < 5) return false;
  double vals[std::size(kCpuColumns)];
  size_t n = std::min(f.size() - 1, std::size(kCpuColumns));
  for (size_t i = 0; i < n; ++i) {
    auto v = parse_u64(f[i + 1]);
    if (!v) return false;
    vals[i] = static_cast<double>(*v) / hz;
  }
  for (size_t i = 0; i < n; ++i) c.set_counter(kCpuColumns[i], vals[i], 0);
  return true;
}

}  // namespace

bool read_proc_stat(const std::string& proc_root, model::Component& host,
                    std::vector<model::Component>& cpus, Problems* problems) {
  const std::string path = proc_root + "/stat";
  std::string buf;
  if (!read_file(path, buf)) return false;
  const double hz = clock_ticks_per_second();
  cpus.clear();
  FieldReader lines(buf);
  while (lines.next()) {
    const auto& f = lines.fields();
    const auto key = f[0];
    if (key == "cpu") {
      if (!fill_cpu_times(f, host, hz)) report(problems, path, lines.line_no(), "bad cpu line");
    } else if (key.starts_with("cpu")) {
      auto idx = parse_u64(key.substr(3));
      model::Component cpu;
      cpu.kind = model::ComponentKind::Cpu;
      cpu.id = std::string(key);
      cpu.name = cpu.id;
      if (!idx || !fill_cpu_times(f, cpu, hz)) {
        report(problems, path, lines.line_no(), "bad per-CPU line");
        continue;
      }
      cpu.kernel_id = *idx;
      cpus.push_back(std::move(cpu));
    } else if (f.size() >= 2 && (key == "ctxt" || key == "processes" || key == "procs_running" ||
                                 key == "procs_blocked")) {
      auto v = parse_u64(f[1]);
      if (!v) {
        report(problems, path, lines.line_no(), "bad number");
        continue;
      }
      const double d = static_cast<double>(*v);
      if (key == "ctxt")
        host.set_counter(MetricId::HostContextSwitches, d, 0);
      else if (key == "processes")
        host.set_counter(MetricId::HostForks, d, 0);
      else if (key == "procs_running")
        host.set_gauge(MetricId::HostProcsRunning, d);
      else
        host.set_gauge(MetricId::HostProcsBlocked, d);
    }
  }
  return true;
}

bool read_loadavg(const std::string& proc_root, model::Component& host, Problems* problems) {
  const std::string path = proc_root + "/loadavg";
  std::string buf;
  if (!read_file(path, buf)) return false;
  std::vector<std::string_view> f;
  split_ws(trim(buf), f);
  std::optional<double> l1, l5, l15;
  if (f.size() >= 3) l1 = parse_double(f[0]), l5 = parse_double(f[1]), l15 = parse_double(f[2]);
  if (!l1 || !l5 || !l15) {
    report(problems, path, 1, "expected three load averages");
    return false;
  }
  host.set_gauge(MetricId::HostLoad1, *l1);
  host.set_gauge(MetricId::HostLoad5, *l5);
  host.set_gauge(MetricId::HostLoad15, *l15);
  return true;
}

bool read_uptime(const std::string& proc_root, model::Component& host, Problems* problems) {
  const std::string path = proc_root + "/uptime";
  std::string buf;
  if (!read_file(path, buf)) return false;
  std::vector<std::string_view> f;
  split_ws(trim(buf), f);
  std::optional<double> up;
  if (!f.empty()) up = parse_double(f[0]);
  if (!up) {
    report(problems, path, 1, "expected uptime seconds");
    return false;
  }
  host.set_gauge(MetricId::HostUptime, *up);
  return true;
}

bool read_meminfo(const std::string& proc_root, model::Component& host, Problems* problems) {
  const std::string path = proc_root + "/meminfo";
  std::string buf;
  if (!read_file(path, buf)) return false;
  // Values we need, in bytes; -1 marks "not present".
  double total = -1, free = -1, avail = -1, buffers = -1, cached = -1, sreclaim = -1, dirty = -1,
         writeback = -1, swap_total = -1, swap_free = -1;
  FieldReader lines(buf);
  while (lines.next()) {
    const auto& f = lines.fields();
    if (f.size() < 2) continue;
    auto key = f[0];
    if (!key.ends_with(':')) {
      report(problems, path, lines.line_no(), "expected 'Key: value'");
      continue;
    }
    key.remove_suffix(1);
    double* slot = key == "MemTotal"       ? &total
                   : key == "MemFree"      ? &free
                   : key == "MemAvailable" ? &avail
                   : key == "Buffers"      ? &buffers
                   : key == "Cached"       ? &cached
                   : key == "SReclaimable" ? &sreclaim
                   : key == "Dirty"        ? &dirty
                   : key == "Writeback"    ? &writeback
                   : key == "SwapTotal"    ? &swap_total
                   : key == "SwapFree"     ? &swap_free
                                           : nullptr;
    if (!slot) continue;
    auto v = parse_u64(f[1]);
    if (!v) {
      report(problems, path, lines.line_no(), "bad number");
      continue;
    }
    // Every meminfo size is in KiB ("kB") except the HugePages_* counts,
    // which we do not read.
    const bool kib = f.size() >= 3 && f[2] == "kB";
    *slot = static_cast<double>(*v) * (kib ? 1024.0 : 1.0);
  }
  auto set = [&](MetricId id, double v) {
    if (v >= 0) host.set_gauge(id, v);
  };
  set(MetricId::MemTotal, total);
  set(MetricId::MemFree, free);
  set(MetricId::MemAvailable, avail);
  set(MetricId::MemBuffers, buffers);
  set(MetricId::MemCached, cached);
  set(MetricId::MemDirty, dirty);
  set(MetricId::MemWriteback, writeback);
  set(MetricId::SwapTotal, swap_total);
  if (swap_total >= 0 && swap_free >= 0) set(MetricId::SwapUsed, swap_total - swap_free);
  if (total >= 0 && free >= 0) {
    double used =
        total - free - std::max(buffers, 0.0) - std::max(cached, 0.0) - std::max(sreclaim, 0.0);
    // Cached can briefly exceed what the subtraction allows (shmem is counted
    // in both), so never report a negative amount.
    set(MetricId::MemUsed, std::max(used, 0.0));
  }
  return total >= 0;
}

bool read_vmstat(const std::string& proc_root, model::Component& host, Problems* problems) {
  const std::string path = proc_root + "/vmstat";
  std::string buf;
  if (!read_file(path, buf)) return false;
  FieldReader lines(buf);
  // Page-cache refaults: "workingset_refault_file" since 5.9, before that a
  // single "workingset_refault" (only file pages had shadow entries then).
  double refaults_file = model::kNaN, refaults_old = model::kNaN;
  while (lines.next()) {
    const auto& f = lines.fields();
    if (f.size() != 2) {
      report(problems, path, lines.line_no(), "expected 'name value'");
      continue;
    }
    static constexpr std::pair<std::string_view, MetricId> kWanted[] = {
        {"pgfault", MetricId::VmPageFaults},
        {"pgmajfault", MetricId::VmMajorFaults},
        {"pgscan_direct", MetricId::VmPgscanDirect},
        {"pgsteal_direct", MetricId::VmPgstealDirect},
        {"oom_kill", MetricId::MemOomKills}};
    auto it = std::find_if(std::begin(kWanted), std::end(kWanted),
                           [&](const auto& w) { return w.first == f[0]; });
    const bool refault = f[0] == "workingset_refault_file" || f[0] == "workingset_refault";
    if (it == std::end(kWanted) && !refault) continue;
    auto v = parse_u64(f[1]);
    if (!v) {
      report(problems, path, lines.line_no(), "bad number");
      continue;
    }
    if (refault)
      (f[0] == "workingset_refault" ? refaults_old : refaults_file) = static_cast<double>(*v);
    else
      host.set_counter(it->second, static_cast<double>(*v), 0);
  }
  const double refaults = std::isnan(refaults_file) ? refaults_old : refaults_file;
  if (!std::isnan(refaults)) host.set_counter(MetricId::VmRefaults, refaults, 0);
  return true;
}

void read_host(const std::string& proc_root, model::Component& host,
               std::vector<model::Component>& cpus, Problems* problems) {
  read_proc_stat(proc_root, host, cpus, problems);
  read_loadavg(proc_root, host, problems);
  read_uptime(proc_root, host, problems);
  read_meminfo(proc_root, host, problems);
  read_vmstat(proc_root, host, problems);
  read_host_pressure(proc_root, host, problems);
}

}  // namespace kpulse::collect
