// What the frame encoder and decoder share (frame_codec.h): the per-role and
// per-component state frames are delta-coded against, and the histogram
// slot packing. Internal to kpulse_record.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kpulse_recording.pb.h"
#include "model/snapshot.h"

namespace kpulse::record::codec {

inline constexpr uint32_t kNoShape = UINT32_MAX;

// The last frame of one role, which the next frame of that role is coded
// against.
struct RoleState {
  bool any = false;
  int64_t time_ns = 0;
  uint64_t seq = 0;
  std::string hostname;
  std::vector<uint32_t> components;
  std::vector<uint32_t> shapes;
  // Version-1 frames only: their listener section, for `same_listeners`.
  std::vector<model::Component> v1_listeners;
};

// Previous values of one component (by dictionary index), in shape order.
struct Series {
  uint32_t shape = kNoShape;
  std::vector<double> values;
  std::vector<double> deltas;
};

using HistKey = std::pair<uint32_t, uint32_t>;  // component index, metric index

struct Previous {
  bool found = false;
  double value = 0;
  double delta = 0;
};

// The previous value of metric `metric` (dictionary index) at position `pos`
// of `shape`, in the component's previous series.
Previous previous_of(const Series& prev, uint32_t shape, size_t pos, uint32_t metric,
                     const std::vector<std::vector<uint32_t>>& shapes);

// A counter's delta when the frame does not spell it out: the increase since
// the previous value.
inline double predicted_delta(model::MetricType type, const Previous& p, double value) {
  return (type == model::MetricType::Counter && p.found) ? value - p.value : 0.0;
}

// Stores the non-zero span of the slots; returns the index of its first slot.
uint32_t trim_slots(const model::Log2Histogram& h, google::protobuf::RepeatedField<uint64_t>* out);
uint64_t slot_sum(const model::Log2Histogram& h);
// Throws std::runtime_error when the slots do not fit a histogram.
model::Log2Histogram untrim_slots(const google::protobuf::RepeatedField<uint64_t>& in,
                                  uint32_t first, int64_t count_extra, uint64_t sum);

}  // namespace kpulse::record::codec
