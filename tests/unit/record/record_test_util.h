// Helpers for the recording tests: a scratch directory and snapshots that
// exercise every stored field.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "model/listeners_exits.h"
#include "model/snapshot.h"
#include "tests/support/synthetic_source.h"

namespace kpulse::record::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kpulse-record-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline constexpr int64_t kSecond = 1'000'000'000;

// XORs one byte of `file` with 0x5a (XOR again to restore it).
inline void flip_byte(const std::filesystem::path& file, uint64_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x5a));
}

// The synthetic host's snapshot `seq`, moved to start at `start_ns`, plus
// labeled samples, exited tasks and changing listeners (the synthetic source
// has none of those in every interval).
inline model::Snapshot rich_snapshot(uint64_t seq, int64_t start_ns = 1'780'000'000 * kSecond,
                                     int processes = 30) {
  synthetic::SyntheticOptions o;
  o.processes = processes;
  model::Snapshot s = synthetic::SyntheticSource(o).at(seq);
  s.time_ns = start_ns + static_cast<int64_t>(seq) * kSecond + static_cast<int64_t>(seq % 7) * 1000;
  s.interval_s = 1.0 + static_cast<double>(seq % 5) * 1e-4;
  auto& host = s.components.front();
  host.labeled.push_back({model::MetricId::NetDrops, "NO_SOCKET", 10.0 + seq, 1});
  host.labeled.push_back({model::MetricId::NetDrops, "TCP_CSUM", 3, 0});
  if (seq % 3 == 1) {
    model::ExitedTask e;
    e.pid = 1000 + seq;
    e.tgid = e.pid;
    e.comm = "short-job";
    e.cgroup = "/system.slice/cron.service";
    e.lifetime_s = 0.25 * seq;
    e.exit_time_s = static_cast<double>(s.time_ns) * 1e-9 - 0.1;
    e.cpu_time_s = 0.01;
    e.minor_faults = 120 + seq;
    e.read_bytes = 4096;
    e.exit_code = seq % 2 ? 1 : 0;
    s.components.push_back(model::to_component(e));
  }
  if (seq % 4 == 0) {
    model::Listener l;
    l.netns = 4026531840;
    l.address = "127.0.0.1:" + std::to_string(8000 + seq);
    l.backlog = 128;
    l.queued = seq % 3;
    l.overflows = static_cast<double>(seq);
    l.overflows_delta = 1;
    l.pid = 77;
    l.comm = "srv";
    s.components.push_back(model::to_component(l));
  }
  // Histogram counts that disagree with their slots (per-CPU slots and counts
  // are summed separately, so this happens) must survive too.
  if (!host.histograms.empty()) {
    host.histograms[0].delta.count += 2;
    host.histograms[0].total.count += seq % 3;
  }
  // Exact values that stress the value coder: negative, huge, tiny, -0.
  host.set_gauge(model::MetricId::HostLoad15, seq % 2 ? -0.0 : 1e300);
  return s;
}

}  // namespace kpulse::record::testing
