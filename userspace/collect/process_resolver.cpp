#include "collect/process_resolver.h"

#include <algorithm>
#include <vector>

#include "collect/host_stats.h"
#include "collect/text_file.h"

namespace kpulse::collect {

std::string parse_proc_cgroup(std::string_view text) {
  std::string fallback;
  LineReader lines(text);
  std::string_view line;
  while (lines.next(line)) {
    // "hierarchy-id:controllers:path"; the path may itself contain ':'.
    auto c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    auto c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    auto id = line.substr(0, c1), ctrl = line.substr(c1 + 1, c2 - c1 - 1);
    auto path = line.substr(c2 + 1);
    if (id == "0" && ctrl.empty()) return std::string(path);
    if (ctrl == "name=systemd") fallback = std::string(path);
  }
  return fallback;
}

std::string clean_cmdline(std::string_view raw, size_t max_len) {
  while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
  std::string s(raw.substr(0, std::min(raw.size(), max_len)));
  std::replace(s.begin(), s.end(), '\0', ' ');
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

ProcessResolver::ProcessResolver(std::string proc_root, ProcessResolverOptions options)
    : proc_root_(std::move(proc_root)), options_(options) {}

bool ProcessResolver::load(uint32_t pid, ProcessInfo& out, const ProcStat* known) {
  ++reads_;
  const std::string dir = proc_root_ + "/" + std::to_string(pid);
  std::optional<ProcStat> read;
  if (!known) {
    if (!read_file(dir + "/stat", buf_)) return false;
    read = parse_proc_stat(buf_);
    if (!read) return false;
    known = &*read;
  }
  out.pid = pid;
  out.ppid = known->ppid;
  out.comm = known->comm;
  out.start_ticks = known->start_ticks;
  out.start_time_s = static_cast<double>(known->start_ticks) / clock_ticks_per_second();
  // cmdline and cgroup may fail if the process exits now; keep what we have.
  out.cmdline.clear();
  if (read_file(dir + "/cmdline", buf_)) out.cmdline = clean_cmdline(buf_, options_.cmdline_max);
  // kthreadd (pid 2) is the parent of every kernel thread.
  const bool kernel_thread = pid == 2 || out.ppid == 2;
  out.cmdline_pending = out.cmdline.empty() && !kernel_thread;
  if (out.cmdline.empty()) out.cmdline = "[" + out.comm + "]";
  out.cgroup.clear();
  if (read_file(dir + "/cgroup", buf_)) out.cgroup = parse_proc_cgroup(buf_);
  return true;
}

const ProcessInfo* ProcessResolver::lookup(uint32_t pid, uint64_t start_ticks,
                                           std::string_view comm) {
  auto it = cache_.find(pid);
  if (it != cache_.end() && (start_ticks == 0 || it->second.info.start_ticks == start_ticks) &&
      (comm.empty() || it->second.info.comm == comm) && !it->second.info.cmdline_pending) {
    it->second.last_used = interval_;
    return &it->second.info;
  }
  return refresh(pid);
}

const ProcessInfo* ProcessResolver::lookup(const ProcStat& st) {
  auto it = cache_.find(st.pid);
  if (it != cache_.end() && it->second.info.start_ticks == st.start_ticks &&
      it->second.info.comm == st.comm && !it->second.info.cmdline_pending) {
    it->second.last_used = interval_;
    return &it->second.info;
  }
  return refresh(st.pid, &st);
}

const ProcessInfo* ProcessResolver::refresh(uint32_t pid) {
  return refresh(pid, nullptr);
}

const ProcessInfo* ProcessResolver::refresh(uint32_t pid, const ProcStat* known) {
  ProcessInfo info;
  if (!load(pid, info, known)) {
    cache_.erase(pid);
    return nullptr;
  }
  auto& e = cache_[pid];
  e.info = std::move(info);
  e.last_used = interval_;
  return &e.info;
}

void ProcessResolver::end_interval() {
  ++interval_;
  const uint64_t idle = static_cast<uint64_t>(std::max(options_.idle_intervals, 1));
  std::erase_if(cache_, [&](const auto& kv) { return interval_ - kv.second.last_used > idle; });
  if (cache_.size() <= options_.capacity) return;
  // Over capacity: drop the least recently used. Rare (only with a huge number
  // of live processes looked up at once), so a sort is fine.
  std::vector<std::pair<uint64_t, uint32_t>> order;
  order.reserve(cache_.size());
  for (const auto& [pid, e] : cache_) order.emplace_back(e.last_used, pid);
  std::sort(order.begin(), order.end());
  const size_t excess = cache_.size() - options_.capacity;
  for (size_t i = 0; i < excess; ++i) cache_.erase(order[i].second);
}

model::Component ProcessResolver::make_component(const ProcessInfo& info, const ProcStat& st) {
  model::Component c;
  c.kind = model::ComponentKind::Process;
  c.id = std::to_string(info.pid);
  c.name = info.comm;
  c.parent = info.cgroup;
  c.detail = info.cmdline;
  c.kernel_id = info.pid;
  fill_process_metrics(st, c);
  return c;
}

std::optional<model::Component> read_process(ProcessResolver& resolver,
                                             const std::string& proc_root, uint32_t pid,
                                             std::string& buf, Problems* problems) {
  auto st = read_proc_stat_of(proc_root, pid, buf, problems);
  if (!st) return std::nullopt;
  const ProcessInfo* info = resolver.lookup(*st);
  if (!info) return std::nullopt;
  return ProcessResolver::make_component(*info, *st);
}

}  // namespace kpulse::collect
