#include "collect/cgroup_stats.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "collect/cgroup_resolver.h"
#include "collect/pressure.h"
#include "collect/text_file.h"

namespace kpulse::collect {

using model::MetricId;

model::Component make_cgroup_component(std::string_view path, uint64_t cgroup_id) {
  model::Component c;
  c.kind = model::ComponentKind::Cgroup;
  c.id = std::string(path);
  c.name = cgroup_leaf(path);
  c.parent = cgroup_parent(path);
  c.kernel_id = cgroup_id;
  return c;
}

double cpu_shares_to_weight(uint64_t shares) {
  double w = std::round(static_cast<double>(shares) * 100.0 / 1024.0);
  return std::clamp(w, 1.0, 10000.0);
}

namespace {

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Calls fn(key, value) for each "key value" line of a flat-keyed file
// (cpu.stat, memory.events, v1 cpu.stat, memory.oom_control).
template <typename Fn>
void for_each_kv(std::string_view text, const std::string& file, Problems* problems, Fn fn) {
  std::vector<std::string_view> f;
  LineReader lines(text);
  std::string_view line;
  while (lines.next(line)) {
    split_ws(line, f);
    if (f.empty()) continue;
    std::optional<uint64_t> v;
    if (f.size() == 2) v = parse_u64(f[1]);
    if (!v) {
      report(problems, file, lines.line_no(), "expected 'key number'");
      continue;
    }
    fn(f[0], *v);
  }
}

// Gauge from a file holding a number or "max"; "max" (and, when
// absent_when_zero, 0) leave the metric absent.
void v2_limit(const std::string& path, std::string& buf, model::Component& out, MetricId id,
              bool absent_when_zero, Problems* problems) {
  if (!read_file(path, buf)) return;
  auto t = trim(buf);
  if (t == "max") return;
  auto v = parse_u64(t);
  if (!v) {
    report(problems, path, 1, "expected a number or 'max'");
    return;
  }
  if (absent_when_zero && *v == 0) return;
  out.set_gauge(id, static_cast<double>(*v));
}

bool has(const model::Component& c, MetricId id) {
  return c.find(id) != nullptr;
}

}  // namespace

bool CgroupStatsReader::read(std::string_view path, model::Component& out, Problems* problems) {
  bool found = false;
  if (!layout_.v2_root.empty()) {
    const std::string dir = join_path(layout_.v2_root, path);
    found |= read_v2(dir, out, problems);
  }
  if (!layout_.v1.empty()) found |= read_v1(path, out, problems);
  return found;
}

bool CgroupStatsReader::read_v2(const std::string& dir, model::Component& out, Problems* problems) {
  if (!is_dir(dir)) return false;
  std::string& buf = buf_;

  // Controller files exist only for controllers enabled on this cgroup; on
  // hybrid hosts none are, so checking cgroup.controllers first saves about a
  // dozen failing opens per cgroup per interval. No file (an old kernel or a
  // fixture without it): try everything.
  bool cpu = true, memory = true, pids = true, io = true;
  if (read_file(dir + "/cgroup.controllers", buf)) {
    cpu = memory = pids = io = false;
    std::vector<std::string_view> names;
    split_ws(trim(buf), names);
    for (auto n : names) {
      cpu |= n == "cpu";
      memory |= n == "memory";
      pids |= n == "pids";
      io |= n == "io";
    }
  }

  std::string p = dir + "/cpu.stat";
  if (read_file(p, buf)) {
    for_each_kv(buf, p, problems, [&](std::string_view k, uint64_t v) {
      const double d = static_cast<double>(v);
      if (k == "usage_usec")
        out.set_counter(MetricId::CgCpuUsage, d / 1e6, 0);
      else if (k == "nr_periods")
        out.set_counter(MetricId::CgCpuPeriods, d, 0);
      else if (k == "nr_throttled")
        out.set_counter(MetricId::CgCpuThrottledPeriods, d, 0);
      else if (k == "throttled_usec")
        out.set_counter(MetricId::CgCpuThrottledTime, d / 1e6, 0);
    });
  }

  p = dir + "/cpu.max";
  if (cpu && read_file(p, buf)) {
    std::vector<std::string_view> f;
    split_ws(trim(buf), f);
    if (f.size() != 2) {
      report(problems, p, 1, "expected '<quota|max> <period>'");
    } else if (f[0] != "max") {
      auto quota = parse_u64(f[0]), period = parse_u64(f[1]);
      if (quota && period && *period > 0)
        out.set_gauge(MetricId::CgCpuQuota,
                      static_cast<double>(*quota) / static_cast<double>(*period));
      else
        report(problems, p, 1, "bad quota or period");
    }
  }

  if (cpu)
    if (auto w = read_u64_file(dir + "/cpu.weight"))
      out.set_gauge(MetricId::CgCpuWeight, static_cast<double>(*w));

  if (memory) {
    if (auto v = read_u64_file(dir + "/memory.current"))
      out.set_gauge(MetricId::CgMemCurrent, static_cast<double>(*v));
    v2_limit(dir + "/memory.min", buf, out, MetricId::CgMemMin, true, problems);
    v2_limit(dir + "/memory.low", buf, out, MetricId::CgMemLow, true, problems);
    v2_limit(dir + "/memory.high", buf, out, MetricId::CgMemHigh, false, problems);
    v2_limit(dir + "/memory.max", buf, out, MetricId::CgMemMax, false, problems);
    p = dir + "/memory.events";
    if (read_file(p, buf)) {
      for_each_kv(buf, p, problems, [&](std::string_view k, uint64_t v) {
        if (k == "oom_kill") out.set_counter(MetricId::MemOomKills, static_cast<double>(v), 0);
      });
    }
  }

  if (pids)
    if (auto v = read_u64_file(dir + "/pids.current"))
      out.set_gauge(MetricId::CgPids, static_cast<double>(*v));

  // io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device.
  p = dir + "/io.stat";
  if (io && read_file(p, buf)) {
    double rbytes = 0, wbytes = 0;
    std::vector<std::string_view> f;
    LineReader lines(buf);
    std::string_view line;
    while (lines.next(line)) {
      split_ws(line, f);
      for (size_t i = 1; i < f.size(); ++i) {
        auto eq = f[i].find('=');
        if (eq == std::string_view::npos) continue;
        auto key = f[i].substr(0, eq);
        if (key != "rbytes" && key != "wbytes") continue;
        auto v = parse_u64(f[i].substr(eq + 1));
        if (!v) {
          report(problems, p, lines.line_no(), "bad number");
          continue;
        }
        (key == "rbytes" ? rbytes : wbytes) += static_cast<double>(*v);
      }
    }
    out.set_counter(MetricId::CgIoReadBytes, rbytes, 0);
    out.set_counter(MetricId::CgIoWriteBytes, wbytes, 0);
  }

  read_pressure_files(dir, "", ".pressure", out, problems);
  return true;
}

bool CgroupStatsReader::read_v1(std::string_view path, model::Component& out, Problems* problems) {
  std::string& buf = buf_;
  bool found = false;
  auto dir_for = [&](const char* controller) -> std::string {
    std::string base = layout_.v1_dir(controller);
    if (base.empty()) return {};
    std::string d = join_path(base, path);
    if (!is_dir(d)) return {};
    found = true;
    return d;
  };

  if (auto d = dir_for("cpuacct"); !d.empty() && !has(out, MetricId::CgCpuUsage)) {
    if (auto v = read_u64_file(d + "/cpuacct.usage"))
      out.set_counter(MetricId::CgCpuUsage, static_cast<double>(*v) / 1e9, 0);
  }

  if (auto d = dir_for("cpu"); !d.empty()) {
    std::string p = d + "/cpu.stat";
    if (!has(out, MetricId::CgCpuPeriods) && read_file(p, buf)) {
      for_each_kv(buf, p, problems, [&](std::string_view k, uint64_t v) {
        const double x = static_cast<double>(v);
        if (k == "nr_periods")
          out.set_counter(MetricId::CgCpuPeriods, x, 0);
        else if (k == "nr_throttled")
          out.set_counter(MetricId::CgCpuThrottledPeriods, x, 0);
        else if (k == "throttled_time")
          out.set_counter(MetricId::CgCpuThrottledTime, x / 1e9, 0);
      });
    }
    if (!has(out, MetricId::CgCpuQuota)) {
      // cfs_quota_us is -1 when unlimited.
      auto quota = read_u64_file(d + "/cpu.cfs_quota_us");  // "-1" fails to parse: unlimited
      auto period = read_u64_file(d + "/cpu.cfs_period_us");
      if (quota && period && *period > 0)
        out.set_gauge(MetricId::CgCpuQuota,
                      static_cast<double>(*quota) / static_cast<double>(*period));
    }
    if (!has(out, MetricId::CgCpuWeight))
      if (auto s = read_u64_file(d + "/cpu.shares"))
        out.set_gauge(MetricId::CgCpuWeight, cpu_shares_to_weight(*s));
  }

  if (auto d = dir_for("memory"); !d.empty()) {
    if (!has(out, MetricId::CgMemCurrent))
      if (auto v = read_u64_file(d + "/memory.usage_in_bytes"))
        out.set_gauge(MetricId::CgMemCurrent, static_cast<double>(*v));
    if (!has(out, MetricId::CgMemMax))
      if (auto v = read_u64_file(d + "/memory.limit_in_bytes"); v && *v < kV1UnlimitedThreshold)
        out.set_gauge(MetricId::CgMemMax, static_cast<double>(*v));
    // The soft limit is v1's best-effort protection, the closest to memory.low
    // (container runtimes map one to the other).
    if (!has(out, MetricId::CgMemLow))
      if (auto v = read_u64_file(d + "/memory.soft_limit_in_bytes");
          v && *v > 0 && *v < kV1UnlimitedThreshold)
        out.set_gauge(MetricId::CgMemLow, static_cast<double>(*v));
    std::string p = d + "/memory.oom_control";
    if (!has(out, MetricId::MemOomKills) && read_file(p, buf)) {
      for_each_kv(buf, p, problems, [&](std::string_view k, uint64_t v) {
        if (k == "oom_kill") out.set_counter(MetricId::MemOomKills, static_cast<double>(v), 0);
      });
    }
  }

  if (auto d = dir_for("pids"); !d.empty() && !has(out, MetricId::CgPids))
    if (auto v = read_u64_file(d + "/pids.current"))
      out.set_gauge(MetricId::CgPids, static_cast<double>(*v));

  // blkio.throttle.io_service_bytes: "8:0 Read 4096" ... "Total 123". The
  // throttle file counts every bio (the non-throttle one only CFQ/BFQ I/O).
  if (auto d = dir_for("blkio"); !d.empty() && !has(out, MetricId::CgIoReadBytes)) {
    std::string p = d + "/blkio.throttle.io_service_bytes";
    if (read_file(p, buf)) {
      double r = 0, w = 0;
      std::vector<std::string_view> f;
      LineReader lines(buf);
      std::string_view line;
      while (lines.next(line)) {
        split_ws(line, f);
        if (f.size() != 3) continue;  // "Total N" and blank lines
        if (f[1] != "Read" && f[1] != "Write") continue;
        auto v = parse_u64(f[2]);
        if (!v) {
          report(problems, p, lines.line_no(), "bad number");
          continue;
        }
        (f[1] == "Read" ? r : w) += static_cast<double>(*v);
      }
      out.set_counter(MetricId::CgIoReadBytes, r, 0);
      out.set_counter(MetricId::CgIoWriteBytes, w, 0);
    }
  }
  return found;
}

}  // namespace kpulse::collect
