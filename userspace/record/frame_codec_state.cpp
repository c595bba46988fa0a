#include "record/frame_codec_state.h"

#include <stdexcept>

namespace kpulse::record::codec {

Previous previous_of(const Series& prev, uint32_t shape, size_t pos, uint32_t metric,
                     const std::vector<std::vector<uint32_t>>& shapes) {
  if (prev.shape == kNoShape) return {};
  if (prev.shape == shape) return {true, prev.values[pos], prev.deltas[pos]};
  const auto& old = shapes[prev.shape];
  for (size_t j = 0; j < old.size(); ++j)
    if (old[j] == metric) return {true, prev.values[j], prev.deltas[j]};
  return {};
}

uint32_t trim_slots(const model::Log2Histogram& h, google::protobuf::RepeatedField<uint64_t>* out) {
  int first = 0, end = model::kHistogramSlots;
  while (end > 0 && h.slots[end - 1] == 0) --end;
  while (first < end && h.slots[first] == 0) ++first;
  out->Reserve(end - first);
  for (int i = first; i < end; ++i) out->Add(h.slots[i]);
  return static_cast<uint32_t>(first);
}

uint64_t slot_sum(const model::Log2Histogram& h) {
  uint64_t n = 0;
  for (uint64_t s : h.slots) n += s;
  return n;
}

model::Log2Histogram untrim_slots(const google::protobuf::RepeatedField<uint64_t>& in,
                                  uint32_t first, int64_t count_extra, uint64_t sum) {
  if (first > model::kHistogramSlots ||
      in.size() > model::kHistogramSlots - static_cast<int>(first))
    throw std::runtime_error("histogram has too many slots");
  model::Log2Histogram h;
  for (int i = 0; i < in.size(); ++i) h.slots[first + i] = in.Get(i);
  h.count = slot_sum(h) + static_cast<uint64_t>(count_extra);
  h.sum_ns = sum;
  return h;
}

}  // namespace kpulse::record::codec
