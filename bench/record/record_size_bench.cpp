// Recording size and CPU: bytes per stored sample and per day at 1 s, for
// this machine (live collector) and a synthetic busy host, with each block
// codec. Each configuration runs three times; CPU figures are the median.
//
//   kpulse_record_size_bench --live 300 --synthetic 300
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "busy_host.h"
#include "engine/collector.h"
#include "record/reader.h"
#include "record/recorder.h"
#include "record/segment_dir.h"
#include "record/frame_codec.h"
#include "kpulse_recording.pb.h"

namespace {

using namespace kpulse;

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

uint64_t samples_in(const model::Snapshot& s) {
  uint64_t n = 0;
  for (const auto& c : s.components) n += c.samples.size() + c.labeled.size() + c.histograms.size();
  return n;
}

struct Config {
  const char* label;
  record::Codec codec;
  int level;
  uint32_t frames_per_block = 60;
};

struct Result {
  uint64_t bytes[record::kTiers] = {};
  double write_cpu_s = 0;
  double read_cpu_s = 0;
};

Result run_once(const std::vector<model::Snapshot>& data, const Config& c, bool tiers) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "kpulse-recbench-XXXXXX").string();
  const std::filesystem::path dir = ::mkdtemp(tmpl.data());
  Result r;
  {
    record::RecorderOptions o;
    o.dir = dir;
    o.codec = c.codec;
    o.level = c.level;
    o.frames_per_block = c.frames_per_block;
    o.downsample = tiers;
    record::Recorder rec(o);
    const double t0 = thread_cpu_s();
    for (const auto& s : data) rec.append(s);
    rec.flush();
    r.write_cpu_s = thread_cpu_s() - t0;
  }
  for (const auto& f : record::list_segments(dir)) r.bytes[static_cast<int>(f.tier)] += f.bytes;
  const double t0 = thread_cpu_s();
  record::RecordingReader reader(dir);
  size_t n = reader.read_range(INT64_MIN, INT64_MAX).size();
  r.read_cpu_s = thread_cpu_s() - t0;
  if (n != data.size()) std::fprintf(stderr, "read back %zu of %zu snapshots!\n", n, data.size());
  std::filesystem::remove_all(dir);
  return r;
}

double median3(double a, double b, double c) {
  return std::max(std::min(a, b), std::min(std::max(a, b), c));
}

void report(const char* name, const std::vector<model::Snapshot>& data) {
  if (data.empty()) return;
  uint64_t samples = 0;
  for (const auto& s : data) samples += samples_in(s);
  const double per_snapshot = static_cast<double>(samples) / static_cast<double>(data.size());
  std::printf("\n## %s: %zu snapshots, %.0f samples per snapshot, %zu components\n", name,
              data.size(), per_snapshot, data.back().components.size());
  std::printf(
      "| codec | bytes/sample | MB/day (1 s) | write CPU ms/snapshot | read CPU ms/snapshot |\n");
  std::printf("|---|---|---|---|---|\n");
  const Config configs[] = {{"none (frames only)", record::Codec::None, 0},
                            {"zlib 6", record::Codec::Zlib, 6},
                            {"zlib 9", record::Codec::Zlib, 9},
                            {"zstd 1", record::Codec::Zstd, 1},
                            {"zstd 3", record::Codec::Zstd, 3},
                            {"zstd 9", record::Codec::Zstd, 9},
                            {"zlib 6, 300-frame blocks", record::Codec::Zlib, 6, 300},
                            {"zstd 3, 300-frame blocks", record::Codec::Zstd, 3, 300}};
  for (const auto& c : configs) {
    Result a = run_once(data, c, false), b = run_once(data, c, false), d = run_once(data, c, false);
    const double bytes = static_cast<double>(a.bytes[0]);
    const double n = static_cast<double>(data.size());
    std::printf("| %s | %.3f | %.1f | %.3f | %.3f |\n", c.label,
                bytes / static_cast<double>(samples), bytes / n * 86400 / 1e6,
                median3(a.write_cpu_s, b.write_cpu_s, d.write_cpu_s) / n * 1e3,
                median3(a.read_cpu_s, b.read_cpu_s, d.read_cpu_s) / n * 1e3);
  }
  // Tiers: bytes per 1 min bucket, scaled to a day (the 1 h tier stores a
  // bucket of the same shape, so its day is ~1/60 of the 1 min tier's).
  Result t = run_once(data, {"zstd 3", record::Codec::Zstd, 3}, true);
  const double minutes = std::max(1.0, std::floor(static_cast<double>(data.size()) / 60.0));
  const double minute_day = static_cast<double>(t.bytes[1]) / minutes * 1440;
  std::printf(
      "\nTiers (zstd 3): 1 min tier %.1f MB/day (%.0f buckets measured), 1 h tier ~%.2f MB/day\n",
      minute_day / 1e6, minutes, minute_day / 60 / 1e6);
}

// Where the uncompressed frame bytes go, per protobuf field, to see what
// dominates before compression.
void breakdown(const char* name, const std::vector<model::Snapshot>& data) {
  if (data.empty()) return;
  record::FrameEncoder enc;
  std::map<std::string, uint64_t> bytes;
  uint64_t total = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    if (i % 60 == 0) enc.reset();  // block boundaries as the recorder has them
    record::pb::Frame f;
    f.ParseFromString(enc.encode(data[i], record::FrameRole::Snapshot, 1));
    total += f.ByteSizeLong();
    const auto* d = f.GetDescriptor();
    for (int k = 0; k < d->field_count(); ++k) {
      record::pb::Frame only = f;
      for (int j = 0; j < d->field_count(); ++j)
        if (j != k) only.GetReflection()->ClearField(&only, d->field(j));
      bytes[d->field(k)->name()] += only.ByteSizeLong();
    }
  }
  std::printf("\n%s: uncompressed frame bytes by field (%.0f bytes/snapshot)\n", name,
              static_cast<double>(total) / static_cast<double>(data.size()));
  for (const auto& [field, n] : bytes)
    if (n > total / 200)
      std::printf("  %-16s %5.1f%%\n", field.c_str(),
                  100.0 * static_cast<double>(n) / static_cast<double>(total));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Recording size and CPU benchmark"};
  int live = 0, synthetic = 300;
  bench::BusyHostOptions busy;
  app.add_option("--live", live, "Seconds of live snapshots from this machine (root for BPF)");
  app.add_option("--synthetic", synthetic, "Snapshots of the synthetic busy host");
  app.add_option("--cgroups", busy.cgroups);
  app.add_option("--processes", busy.processes);
  std::string save, load;
  bool fields = false;
  app.add_option("--save", save, "Also record the live snapshots into this directory");
  app.add_option("--load", load, "Use a recording as the live data instead of collecting");
  app.add_flag("--fields", fields, "Print the uncompressed bytes per frame field");
  CLI11_PARSE(app, argc, argv);

  std::vector<model::Snapshot> live_data;
  if (live > 0) {
    engine::CollectorOptions o;
    o.interval = std::chrono::milliseconds(1000);
    o.enable_bpf = ::geteuid() == 0;
    engine::Collector collector(o);
    std::optional<record::Recorder> rec;
    if (!save.empty()) rec.emplace(record::RecorderOptions{.dir = save});
    for (int i = 0; i < live; ++i) {
      live_data.push_back(collector.next());
      if (rec) rec->append(live_data.back());
    }
  }
  if (!load.empty()) live_data = record::RecordingReader(load).read_range(INT64_MIN, INT64_MAX);
  std::vector<model::Snapshot> synth;
  bench::BusyHost host(busy);
  for (int i = 0; i < synthetic; ++i) synth.push_back(host.next());

  if (fields) {
    breakdown("live", live_data);
    breakdown("synthetic", synth);
    return 0;
  }
  report("this machine (live collector, 1 s)", live_data);
  report("synthetic busy host (1 s)", synth);
  return 0;
}
