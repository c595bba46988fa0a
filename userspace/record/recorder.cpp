#include "record/recorder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "model/clock.h"
#include "record/downsampler.h"
#include "record/frame_codec.h"
#include "record/private_dir.h"
#include "record/reader.h"
#include "record/retention.h"
#include "record/segment_dir.h"
#include "record/segment_file.h"

namespace kpulse::record {
namespace {

uint64_t count_samples(const model::Snapshot& s) {
  uint64_t n = 0;
  for (const auto& c : s.components) n += c.samples.size() + c.labeled.size() + c.histograms.size();
  return n;
}

// The open block of one tier.
struct TierWriter {
  Tier tier = Tier::Full;
  uint32_t frames_per_block = 60;
  FrameEncoder encoder;
  std::string raw;
  uint32_t frames = 0;
  int64_t day = 0;
  int64_t first_ns = 0;
  int64_t last_ns = 0;
  std::string hostname;
  std::optional<Downsampler> downsampler;
};

struct Pending {
  Tier tier;
  int64_t day;
  std::string hostname;
  std::string bytes;
};

struct OpenFile {
  int fd = -1;
  int64_t day = 0;
  uint64_t size = 0;
  std::filesystem::path path;
};

}  // namespace

struct Recorder::Impl {
  RecorderOptions opt;
  mutable std::mutex mu;
  RecorderStatus st;
  TierWriter tiers[kTiers];
  std::deque<Pending> backlog;
  OpenFile files[kTiers];
  int64_t now_ns = 0;  // newest snapshot time: the recorder's clock
  int64_t last_attempt_ns = 0;
  int64_t last_retention_ns = 0;

  explicit Impl(RecorderOptions o) : opt(std::move(o)) {
    for (int t = 0; t < kTiers; ++t) {
      tiers[t].tier = static_cast<Tier>(t);
      tiers[t].frames_per_block = t == 0   ? std::max<uint32_t>(1, opt.frames_per_block)
                                  : t == 1 ? 60
                                           : 24;
      if (t > 0 && opt.downsample)
        tiers[t].downsampler.emplace(tier_bucket_ns(static_cast<Tier>(t)));
    }
  }

  ~Impl() {
    for (auto& f : files)
      if (f.fd >= 0) ::close(f.fd);
  }

  void fail(const std::string& what, int err) {
    fail(fmt::format("{}: {}", what, std::strerror(err)));
  }

  // Writes all of `data` at `offset`, or returns the errno.
  int write_all(int fd, const std::string& data, uint64_t offset) {
    if (opt.write_fault) {
      if (int err = opt.write_fault(data.size())) return err;
    }
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n =
          ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno;
      done += static_cast<size_t>(n);
    }
    return 0;
  }

  void fail(const std::string& message) {
    if (st.state == RecorderState::Ok)
      st.paused_since_ns = now_ns ? now_ns : model::wall_clock_ns();
    st.state = RecorderState::Paused;
    st.last_error = message;
  }

  void notice(const std::string& message) {
    if (opt.notice) opt.notice(message);
  }

  // Opens (or creates) the segment for a tier and day, cutting off a torn
  // tail left by a crash so new blocks follow the last good one. Returns ""
  // or what went wrong. The directory is checked and the file opened without
  // following links: whoever can write in the directory must not be able to
  // point the daemon at another file.
  std::string open_segment(Tier tier, int64_t day, const std::string& hostname, OpenFile& f) {
    if (f.fd >= 0) ::close(f.fd);
    f = {};
    f.path = opt.dir / segment_name(tier, day * kDayNs);
    f.day = day;
    try {
      ensure_private_dir(opt.dir);
    } catch (const std::exception& e) {
      return e.what();
    }
    std::string error;
    f.fd = open_private_file(f.path, error);
    if (f.fd < 0) return error;
    uint64_t keep = 0;
    struct stat sb {};
    if (::fstat(f.fd, &sb) == 0 && sb.st_size > 0) {
      try {
        keep = scan_segment_fd(f.fd, f.path.string()).valid_end;
      } catch (const std::exception& e) {
        // Not a recording this build can append to: keep it aside for
        // inspection (readers still list it) and start the day afresh.
        const std::string aside = f.path.string() + ".bad";
        std::error_code ec;
        std::filesystem::rename(f.path, aside, ec);
        notice(fmt::format("{}; renamed to {}{}", e.what(), aside,
                           ec ? " failed: " + ec.message() : ""));
        ::close(f.fd);
        f.fd = ec ? -1 : open_private_file(f.path, error);
        if (f.fd < 0) return ec ? f.path.string() + ": " + ec.message() : error;
      }
    }
    if (keep > 0) {
      if (::ftruncate(f.fd, static_cast<off_t>(keep)) != 0) return errno_text(f.path);
      f.size = keep;
      return {};
    }
    if (::ftruncate(f.fd, 0) != 0) return errno_text(f.path);
    SegmentHeader h;
    h.tier = tier;
    h.day_start_ns = day * kDayNs;
    h.hostname = hostname;
    const std::string bytes = encode_segment_header(h);
    if (int err = write_all(f.fd, bytes, 0)) {
      ::close(f.fd);
      f.fd = -1;
      std::error_code ec;
      std::filesystem::remove(f.path, ec);
      return fmt::format("{}: {}", f.path.string(), std::strerror(err));
    }
    f.size = bytes.size();
    st.bytes_written += bytes.size();
    return {};
  }

  static std::string errno_text(const std::filesystem::path& path) {
    return fmt::format("{}: {}", path.string(), std::strerror(errno));
  }

  int write_block(const Pending& p) {
    OpenFile& f = files[static_cast<int>(p.tier)];
    if (f.fd < 0 || f.day != p.day) {
      if (std::string error = open_segment(p.tier, p.day, p.hostname, f); !error.empty()) {
        fail(error);
        return EIO;
      }
    }
    if (int err = write_all(f.fd, p.bytes, f.size)) {
      // Cut off whatever part made it, so the file ends on a whole block.
      if (::ftruncate(f.fd, static_cast<off_t>(f.size)) != 0) {
        ::close(f.fd);
        f.fd = -1;
      }
      fail(f.path.string(), err);
      return err;
    }
    f.size += p.bytes.size();
    st.bytes_written += p.bytes.size();
    ++st.blocks_written;
    return 0;
  }

  void drain(bool force) {
    if (backlog.empty()) return;
    if (st.state == RecorderState::Paused && !force &&
        now_ns - last_attempt_ns < opt.retry_interval_ns)
      return;
    last_attempt_ns = now_ns;
    while (!backlog.empty()) {
      if (write_block(backlog.front()) != 0) return;
      st.backlog_bytes -= backlog.front().bytes.size();
      backlog.pop_front();
    }
    if (st.state == RecorderState::Paused) {
      st.state = RecorderState::Ok;
      st.paused_since_ns = 0;
    }
  }

  void seal(TierWriter& tw) {
    if (tw.frames == 0) return;
    Pending p{tw.tier, tw.day, tw.hostname,
              seal_block(tw.raw, opt.codec, opt.level, tw.frames, tw.first_ns, tw.last_ns)};
    st.backlog_bytes += p.bytes.size();
    backlog.push_back(std::move(p));
    while (st.backlog_bytes > opt.max_backlog_bytes && backlog.size() > 1) {
      st.backlog_bytes -= backlog.front().bytes.size();
      backlog.pop_front();
      ++st.dropped_blocks;
    }
    tw.encoder.reset();
    tw.raw.clear();
    tw.frames = 0;
  }

  // Adds frames that belong together (a bucket's mean, min, max) to a tier.
  void add(TierWriter& tw, const model::Snapshot& s,
           std::initializer_list<std::pair<const model::Snapshot*, FrameRole>> frames,
           uint32_t merged) {
    const int64_t day = day_of(s.time_ns);
    if (tw.frames > 0 && day != tw.day) seal(tw);
    if (tw.frames == 0) {
      tw.day = day;
      tw.first_ns = s.time_ns;
      tw.hostname = s.hostname;
    }
    for (const auto& [snap, role] : frames) {
      append_delimited(tw.raw, tw.encoder.encode(*snap, role, merged));
      ++tw.frames;
    }
    tw.last_ns = s.time_ns;
    if (tw.frames >= tw.frames_per_block * frames.size() ||
        tw.raw.size() >= opt.max_block_raw_bytes)
      seal(tw);
  }

  void add_bucket(TierWriter& tw, const Bucket& b) {
    add(tw, b.mean,
        {{&b.mean, FrameRole::Snapshot}, {&b.min, FrameRole::Min}, {&b.max, FrameRole::Max}},
        b.samples_merged);
  }

  // After a crash the downsampled tiers lack the buckets that were still in
  // memory (up to 60 of the 1 min tier, 24 of the 1 h tier). Everything the
  // full tier holds after a tier's last stored time is fed through that
  // tier's downsampler again: closed buckets are written, the open one goes
  // on with the next live snapshot. Returns the snapshots replayed.
  uint64_t rebuild_tiers() {
    int64_t tier_last[kTiers] = {};
    int64_t from = INT64_MAX;
    for (int t = 1; t < kTiers; ++t) {
      if (!tiers[t].downsampler) return 0;
      RecordingReader reader(opt.dir, static_cast<Tier>(t));
      const auto range = reader.time_range();
      tier_last[t] = range ? range->last_ns : INT64_MIN;
      from = std::min(from, tier_last[t]);
    }
    RecordingReader full(opt.dir, Tier::Full);
    const auto range = full.time_range();
    if (!range || range->last_ns <= from) return 0;
    uint64_t replayed = 0;
    full.read(from == INT64_MIN ? INT64_MIN : from + 1, INT64_MAX, [&](RecordedSnapshot&& r) {
      ++replayed;
      for (int t = 1; t < kTiers; ++t) {
        if (r.snapshot.time_ns <= tier_last[t]) continue;
        if (auto b = tiers[t].downsampler->add(r.snapshot)) add_bucket(tiers[t], *b);
      }
      return true;
    });
    return replayed;
  }

  // The writer opens a tier's file only when the tier's first block is due
  // (the 1 h tier's: up to a day after the start), so a link or special file
  // planted as today's segment would be found only then, or at shutdown.
  // Named at the start instead; writing still refuses it when the time comes.
  void warn_of_unwritable_segments() {
    const int64_t today = day_of(model::wall_clock_ns()) * kDayNs;
    for (int t = 0; t < kTiers; ++t) {
      const auto tier = static_cast<Tier>(t);
      if (std::string why = why_not_private_file(opt.dir / segment_name(tier, today)); !why.empty())
        notice(fmt::format("{}: today's {} tier cannot be recorded there; remove it", why,
                           to_string(tier)));
    }
  }

  void retention() {
    const int64_t now = now_ns ? now_ns : model::wall_clock_ns();
    last_retention_ns = now;
    st.retention_deleted +=
        apply_retention_policy(opt.dir, opt.retention, now, [&](const SegmentFile& s) {
          const OpenFile& f = files[static_cast<int>(s.tier)];
          return f.fd >= 0 && f.path == s.path;
        });
  }
};

Recorder::Recorder(RecorderOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  try {
    ensure_private_dir(impl_->opt.dir);
  } catch (const std::exception& e) {
    impl_->fail(e.what());
    return;
  }
  impl_->warn_of_unwritable_segments();
  try {
    if (uint64_t n = impl_->rebuild_tiers())
      impl_->notice(
          fmt::format("rebuilt the 1 min and 1 h tiers from {} snapshots of the full "
                      "tier (the previous run did not stop cleanly)",
                      n));
  } catch (const std::exception& e) {
    impl_->notice(fmt::format("cannot rebuild the 1 min and 1 h tiers: {}", e.what()));
  }
}

Recorder::~Recorder() {
  finish();
}

void Recorder::finish() noexcept {
  std::lock_guard lock(impl_->mu);
  try {
    for (auto& tw : impl_->tiers)
      if (tw.downsampler)
        if (auto b = tw.downsampler->take()) impl_->add_bucket(tw, *b);
    for (auto& tw : impl_->tiers) impl_->seal(tw);
    impl_->drain(true);
    for (auto& f : impl_->files)
      if (f.fd >= 0) ::fdatasync(f.fd);
  } catch (const std::exception& e) {
    impl_->st.last_error = e.what();
  } catch (...) {
  }
}

void Recorder::append(const model::Snapshot& s) noexcept {
  std::lock_guard lock(impl_->mu);
  Impl& m = *impl_;
  try {
    m.now_ns = s.time_ns;
    m.add(m.tiers[0], s, {{&s, FrameRole::Snapshot}}, 1);
    ++m.st.snapshots;
    m.st.samples_written += count_samples(s);
    for (int t = 1; t < kTiers; ++t) {
      auto& tw = m.tiers[t];
      if (!tw.downsampler) continue;
      if (auto b = tw.downsampler->add(s)) m.add_bucket(tw, *b);
    }
    m.drain(false);
    if (m.now_ns - m.last_retention_ns >= 3'600'000'000'000LL) m.retention();
  } catch (const std::exception& e) {
    m.st.last_error = e.what();
  } catch (...) {
    m.st.last_error = "unknown error while recording";
  }
}

void Recorder::flush() noexcept {
  std::lock_guard lock(impl_->mu);
  try {
    for (auto& tw : impl_->tiers) impl_->seal(tw);
    impl_->drain(true);
  } catch (const std::exception& e) {
    impl_->st.last_error = e.what();
  }
}

void Recorder::apply_retention() noexcept {
  std::lock_guard lock(impl_->mu);
  try {
    impl_->retention();
  } catch (...) {
  }
}

RecorderStatus Recorder::status() const {
  std::lock_guard lock(impl_->mu);
  return impl_->st;
}

const RecorderOptions& Recorder::options() const {
  return impl_->opt;
}

}  // namespace kpulse::record
