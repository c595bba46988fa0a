#include "record/reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "record/frame_codec.h"
#include "record/segment_dir.h"
#include "record/segment_file.h"

namespace kpulse::record {

namespace {

struct Segment {
  std::string path;
  int fd = -1;
};

struct BlockRef {
  size_t segment = 0;
  BlockInfo info;
};

}  // namespace

struct RecordingReader::Impl {
  std::filesystem::path dir;
  Tier tier = Tier::Full;
  std::vector<Segment> segments;
  std::vector<BlockRef> blocks;  // by first_ns
  mutable std::vector<std::string> warnings;
  mutable std::set<std::string> reported_unknown;

  ~Impl() { close_all(); }

  void close_all() {
    for (auto& s : segments)
      if (s.fd >= 0) ::close(s.fd);
    segments.clear();
    blocks.clear();
  }

  void index() {
    close_all();
    warnings.clear();
    std::vector<SegmentFile> files;
    try {
      files = list_segments(dir);
    } catch (const std::exception& e) {
      throw RecordError(
          fmt::format("{}: cannot list the recording directory: {}", dir.string(), e.what()));
    }
    for (const auto& f : files) {
      if (f.tier != tier) continue;
      SegmentScan scan;
      try {
        scan = scan_segment(f.path.string());
      } catch (const std::exception& e) {
        warnings.push_back(fmt::format("{} (file skipped)", e.what()));
        continue;
      }
      for (auto& w : scan.warnings) warnings.push_back(std::move(w));
      if (f.set_aside)
        warnings.push_back(fmt::format("{}: set aside by the writer; {} readable blocks in it",
                                       f.path.string(), scan.blocks.size()));
      Segment seg{f.path.string(), ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC)};
      if (seg.fd < 0) {
        warnings.push_back(fmt::format("{}: cannot open (file skipped)", seg.path));
        continue;
      }
      segments.push_back(seg);
      for (const auto& b : scan.blocks) blocks.push_back({segments.size() - 1, b});
    }
    std::stable_sort(blocks.begin(), blocks.end(), [](const BlockRef& a, const BlockRef& b) {
      return a.info.first_ns < b.info.first_ns;
    });
  }

  // The block's snapshots; empty (with a warning) when it fails its checksum
  // or does not decode.
  std::vector<RecordedSnapshot> decode(size_t i) const {
    const BlockRef& ref = blocks[i];
    const Segment& seg = segments[ref.segment];
    std::vector<RecordedSnapshot> out;
    try {
      const std::string raw = read_block(seg.fd, ref.info);
      FrameDecoder dec;
      size_t pos = 0;
      std::string msg;
      while (next_delimited(raw, pos, msg)) {
        DecodedFrame f = dec.decode(msg);
        if (f.role == FrameRole::Snapshot) {
          RecordedSnapshot r;
          r.snapshot = std::move(f.snapshot);
          r.samples_merged = f.samples_merged;
          out.push_back(std::move(r));
        } else if (!out.empty()) {
          (f.role == FrameRole::Min ? out.back().min : out.back().max) = std::move(f.snapshot);
        }
      }
      for (const auto& name : dec.unknown_metrics())
        if (reported_unknown.insert(name).second)
          warnings.push_back(fmt::format(
              "{}: metric {} is unknown to this kpulse (samples skipped)", seg.path, name));
    } catch (const std::exception& e) {
      warnings.push_back(
          fmt::format("{}: offset {}: {} (block skipped)", seg.path, ref.info.offset, e.what()));
      out.clear();
    }
    return out;
  }
};

RecordingReader::RecordingReader(std::filesystem::path dir, Tier tier)
    : impl_(std::make_unique<Impl>()) {
  impl_->dir = std::move(dir);
  impl_->tier = tier;
  impl_->index();
}
RecordingReader::~RecordingReader() = default;
RecordingReader::RecordingReader(RecordingReader&&) noexcept = default;
RecordingReader& RecordingReader::operator=(RecordingReader&&) noexcept = default;

Tier RecordingReader::tier() const {
  return impl_->tier;
}

void RecordingReader::refresh() {
  impl_->index();
}

std::optional<TimeRange> RecordingReader::time_range() const {
  if (impl_->blocks.empty()) return std::nullopt;
  TimeRange r{impl_->blocks.front().info.first_ns, impl_->blocks.front().info.last_ns};
  for (const auto& b : impl_->blocks) {
    r.first_ns = std::min(r.first_ns, b.info.first_ns);
    r.last_ns = std::max(r.last_ns, b.info.last_ns);
  }
  return r;
}

void RecordingReader::read(int64_t from_ns, int64_t to_ns,
                           const std::function<bool(RecordedSnapshot&&)>& fn) const {
  for (size_t i = 0; i < impl_->blocks.size(); ++i) {
    const auto& b = impl_->blocks[i].info;
    if (b.last_ns < from_ns || b.first_ns > to_ns) continue;
    for (auto& r : impl_->decode(i)) {
      if (r.snapshot.time_ns < from_ns || r.snapshot.time_ns > to_ns) continue;
      if (!fn(std::move(r))) return;
    }
  }
}

std::vector<model::Snapshot> RecordingReader::read_range(int64_t from_ns, int64_t to_ns) const {
  std::vector<model::Snapshot> out;
  read(from_ns, to_ns, [&](RecordedSnapshot&& r) {
    out.push_back(std::move(r.snapshot));
    return true;
  });
  return out;
}

std::vector<std::string> RecordingReader::warnings() const {
  return impl_->warnings;
}

struct RecordingCursor::State {
  bool valid = false;
  size_t block = 0;
  std::vector<RecordedSnapshot> records;
  size_t pos = 0;
};

RecordingCursor::RecordingCursor(const RecordingReader& reader)
    : reader_(reader), state_(std::make_unique<State>()) {}
RecordingCursor::~RecordingCursor() = default;

namespace {

// Loads the first block from `start` in direction `dir` (+1/-1) that decodes
// to at least one snapshot.
bool load_block(const RecordingReader::Impl& impl, long start, int dir, size_t& block,
                std::vector<RecordedSnapshot>& records) {
  for (long i = start; i >= 0 && i < static_cast<long>(impl.blocks.size()); i += dir) {
    auto recs = impl.decode(static_cast<size_t>(i));
    if (recs.empty()) continue;
    block = static_cast<size_t>(i);
    records = std::move(recs);
    return true;
  }
  return false;
}

}  // namespace

std::optional<RecordedSnapshot> RecordingCursor::current() const {
  if (!state_->valid) return std::nullopt;
  return state_->records[state_->pos];
}

std::optional<RecordedSnapshot> RecordingCursor::first() {
  State& s = *state_;
  s.valid = load_block(*reader_.impl_, 0, +1, s.block, s.records);
  s.pos = 0;
  return current();
}

std::optional<RecordedSnapshot> RecordingCursor::last() {
  State& s = *state_;
  s.valid = load_block(*reader_.impl_, static_cast<long>(reader_.impl_->blocks.size()) - 1, -1,
                       s.block, s.records);
  s.pos = s.valid ? s.records.size() - 1 : 0;
  return current();
}

std::optional<RecordedSnapshot> RecordingCursor::seek(int64_t time_ns) {
  const auto& blocks = reader_.impl_->blocks;
  State& s = *state_;
  // Blocks are sorted by first time; the first one ending at or after the
  // target holds it (or the next snapshot after it).
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].info.last_ns < time_ns) continue;
    size_t block;
    std::vector<RecordedSnapshot> recs;
    if (!load_block(*reader_.impl_, static_cast<long>(i), +1, block, recs)) break;
    for (size_t p = 0; p < recs.size(); ++p) {
      if (recs[p].snapshot.time_ns >= time_ns) {
        s.valid = true;
        s.block = block;
        s.records = std::move(recs);
        s.pos = p;
        return current();
      }
    }
    i = block;  // nothing at or after the target in it: keep looking
  }
  return last();
}

std::optional<RecordedSnapshot> RecordingCursor::step(int delta) {
  State& s = *state_;
  if (!s.valid) return delta >= 0 ? first() : last();
  bool moved = false;
  const int dir = delta >= 0 ? 1 : -1;
  for (int n = 0; n < std::abs(delta); ++n) {
    if (dir > 0 && s.pos + 1 < s.records.size()) {
      ++s.pos;
    } else if (dir < 0 && s.pos > 0) {
      --s.pos;
    } else {
      size_t block;
      std::vector<RecordedSnapshot> recs;
      if (!load_block(*reader_.impl_, static_cast<long>(s.block) + dir, dir, block, recs)) break;
      s.block = block;
      s.records = std::move(recs);
      s.pos = dir > 0 ? 0 : s.records.size() - 1;
    }
    moved = true;
  }
  if (!moved && delta != 0) return std::nullopt;
  return current();
}

std::vector<model::Snapshot> load_history(const std::filesystem::path& dir, int64_t from_ns,
                                          int64_t to_ns, std::vector<std::string>* warnings) {
  std::vector<model::Snapshot> out;
  // Coarsest first; each finer tier takes over where it starts.
  int64_t until = to_ns;
  std::vector<std::vector<model::Snapshot>> parts;
  for (Tier tier : {Tier::Full, Tier::Minute, Tier::Hour}) {
    RecordingReader reader(dir, tier);
    auto range = reader.time_range();
    if (!range || from_ns > until) continue;
    const int64_t start = std::max(from_ns, range->first_ns);
    if (start > until) continue;
    parts.push_back(reader.read_range(start, until));
    if (warnings)
      for (auto& w : reader.warnings()) warnings->push_back(std::move(w));
    until = start - 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it)
    for (auto& s : *it) out.push_back(std::move(s));
  return out;
}

}  // namespace kpulse::record
