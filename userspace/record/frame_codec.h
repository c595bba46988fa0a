// Snapshot <-> compact protobuf frames, delta-encoded against the previous
// frame of the same role within one block. Encoder and decoder keep the same
// block-scoped state (dictionaries, previous values), reset per block.
// frame_encoder.cpp and frame_decoder.cpp implement the two sides over
// frame_codec_state.h; frame_v1_sections.cpp reads version-1 frames' own
// listener and exited sections into components.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/snapshot.h"

namespace kpulse::record {

namespace pb {
class Frame;
}

// Frame roles: a snapshot (or a bucket's means), then a bucket's extremes.
enum class FrameRole : uint32_t { Snapshot = 0, Min = 1, Max = 2 };
inline constexpr int kFrameRoles = 3;

class FrameEncoder {
 public:
  FrameEncoder();
  ~FrameEncoder();
  // Serialized frame (no length prefix).
  std::string encode(const model::Snapshot& s, FrameRole role, uint32_t samples_merged);
  void reset();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct DecodedFrame {
  FrameRole role = FrameRole::Snapshot;
  uint32_t samples_merged = 1;
  model::Snapshot snapshot;
};

class FrameDecoder {
 public:
  FrameDecoder();
  ~FrameDecoder();
  // Throws std::runtime_error on a frame that does not fit the block state.
  DecodedFrame decode(const std::string& bytes);
  // Metric names this build does not know (their samples are dropped).
  [[nodiscard]] const std::vector<std::string>& unknown_metrics() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kpulse::record
