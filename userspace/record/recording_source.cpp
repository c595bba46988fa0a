#include "record/recording_source.h"

#include <thread>

#include <fmt/format.h>

namespace kpulse::record {

RecordingSource::RecordingSource(std::filesystem::path dir, RecordingSourceOptions options)
    : dir_(std::move(dir)), options_(options), reader_(dir_, options.tier), cursor_(reader_) {
  if (!reader_.time_range())
    throw RecordError(fmt::format("{}: no {} recording in this directory", dir_.string(),
                                  to_string(options.tier)));
}

RecordingSource::~RecordingSource() = default;

std::optional<model::Snapshot> RecordingSource::next() {
  std::optional<RecordedSnapshot> r;
  if (!started_) {
    started_ = true;
    r = options_.start_ns ? cursor_.seek(*options_.start_ns) : cursor_.first();
  } else {
    if (options_.pace.count() > 0) std::this_thread::sleep_for(options_.pace);
    r = cursor_.step(1);
  }
  if (!r) return std::nullopt;
  return std::move(r->snapshot);
}

std::string RecordingSource::describe() const {
  if (options_.tier == Tier::Full) return fmt::format("replay {}", dir_.string());
  return fmt::format("replay {} ({})", dir_.string(), to_string(options_.tier));
}

std::optional<model::Snapshot> RecordingSource::step(int delta) {
  started_ = true;
  auto r = cursor_.step(delta);
  if (!r) return std::nullopt;
  return std::move(r->snapshot);
}

std::optional<model::Snapshot> RecordingSource::seek(int64_t time_ns) {
  started_ = true;
  auto r = cursor_.seek(time_ns);
  if (!r) return std::nullopt;
  return std::move(r->snapshot);
}

}  // namespace kpulse::record
