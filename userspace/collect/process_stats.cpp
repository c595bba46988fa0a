#include "collect/process_stats.h"

#include <sys/resource.h>

#include <dirent.h>
#include <unistd.h>

#include "collect/host_stats.h"
#include "collect/text_file.h"

namespace kpulse::collect {

using model::MetricId;

long page_size_bytes() {
  static const long ps = [] {
    long v = ::sysconf(_SC_PAGESIZE);
    return v > 0 ? v : 4096L;
  }();
  return ps;
}

std::vector<uint32_t> list_pids(const std::string& proc_root) {
  std::vector<uint32_t> pids;
  DIR* d = ::opendir(proc_root.c_str());
  if (!d) return pids;
  while (dirent* e = ::readdir(d))
    if (auto pid = parse_u64(e->d_name)) pids.push_back(static_cast<uint32_t>(*pid));
  ::closedir(d);
  return pids;
}

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  ProcStat st;
  auto pid = parse_u64(text.substr(0, open));
  if (!pid) return std::nullopt;
  st.pid = static_cast<uint32_t>(*pid);
  st.comm = std::string(text.substr(open + 1, close - open - 1));

  // Fields after comm, numbered as in proc(5): 3 = state, 4 = ppid, ...
  // Walk them by hand rather than splitting into a vector: this is the hot path.
  std::string_view rest = text.substr(close + 1);
  int field = 3;
  size_t i = 0;
  bool have_start = false;
  while (i < rest.size() && field <= 24) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    size_t start = i;
    while (i < rest.size() && rest[i] != ' ' && rest[i] != '\n') ++i;
    if (i == start) break;
    std::string_view tok = rest.substr(start, i - start);
    if (field == 3) {
      st.state = tok[0];
    } else {
      // Only the fields we use are parsed; others are skipped unparsed.
      uint64_t* slot = nullptr;
      uint64_t tmp = 0;
      switch (field) {
        case 4:
        case 20:
          slot = &tmp;
          break;
        case 10:
          slot = &st.minflt;
          break;
        case 12:
          slot = &st.majflt;
          break;
        case 14:
          slot = &st.utime_ticks;
          break;
        case 15:
          slot = &st.stime_ticks;
          break;
        case 22:
          slot = &st.start_ticks;
          break;
        case 24:
          slot = &st.rss_pages;
          break;
        default:
          break;
      }
      if (slot) {
        auto v = parse_u64(tok);
        if (!v) return std::nullopt;
        *slot = *v;
        if (field == 4) st.ppid = static_cast<uint32_t>(tmp);
        if (field == 20) st.threads = static_cast<uint32_t>(tmp);
        if (field == 22) have_start = true;
      }
    }
    ++field;
  }
  if (!have_start) return std::nullopt;
  return st;
}

std::optional<ProcStat> read_proc_stat_of(const std::string& proc_root, uint32_t pid,
                                          std::string& buf, Problems* problems) {
  std::string path = proc_root;
  path += '/';
  path += std::to_string(pid);
  path += "/stat";
  if (!read_file(path, buf)) return std::nullopt;
  auto st = parse_proc_stat(buf);
  if (!st) report(problems, path, 1, "unrecognised /proc/PID/stat format");
  return st;
}

void fill_process_metrics(const ProcStat& st, model::Component& out) {
  const double hz = clock_ticks_per_second();
  out.set_counter(MetricId::ProcCpuTime, static_cast<double>(st.utime_ticks + st.stime_ticks) / hz,
                  0);
  out.set_gauge(MetricId::ProcThreads, st.threads);
  out.set_gauge(MetricId::ProcRss,
                static_cast<double>(st.rss_pages) * static_cast<double>(page_size_bytes()));
  out.set_counter(MetricId::VmMajorFaults, static_cast<double>(st.majflt), 0);
  out.set_counter(MetricId::VmPageFaults, static_cast<double>(st.minflt + st.majflt), 0);
}

model::Component make_agent_component() {
  model::Component c;
  c.kind = model::ComponentKind::Agent;
  c.id = "kpulse";
  c.name = "kpulse";
  c.kernel_id = static_cast<uint64_t>(::getpid());
  return c;
}

bool read_self(model::Component& out, const std::string& proc_root) {
  std::string buf;
  if (!read_file(proc_root + "/self/stat", buf)) return false;
  auto st = parse_proc_stat(buf);
  if (!st) return false;
  // getrusage has microsecond resolution: kpulse's own cost is a few
  // milliseconds per interval, below /proc's clock-tick granularity.
  struct rusage ru {};
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    auto seconds = [](const timeval& tv) { return double(tv.tv_sec) + double(tv.tv_usec) * 1e-6; };
    out.set_counter(MetricId::SelfCpuTime, seconds(ru.ru_utime) + seconds(ru.ru_stime), 0);
  } else {
    out.set_counter(
        MetricId::SelfCpuTime,
        static_cast<double>(st->utime_ticks + st->stime_ticks) / clock_ticks_per_second(), 0);
  }
  out.set_gauge(MetricId::SelfRss,
                static_cast<double>(st->rss_pages) * static_cast<double>(page_size_bytes()));
  return true;
}

}  // namespace kpulse::collect
