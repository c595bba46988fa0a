// FrameEncoder (frame_codec.h): a snapshot becomes one frame, every
// component coded against the same component in the previous frame of the
// same role within the block.
#include <bit>
#include <map>
#include <unordered_map>

#include "record/frame_codec.h"
#include "record/frame_codec_state.h"
#include "record/value_codec.h"

namespace kpulse::record {

using codec::HistKey;
using codec::Previous;
using codec::Series;
using model::MetricType;

namespace {

bool same_bits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

// A component's identity: kind, names and kernel id (its samples aside).
std::string component_key(const model::Component& c) {
  std::string k;
  k.reserve(c.id.size() + c.name.size() + c.parent.size() + c.detail.size() + 32);
  k += static_cast<char>(c.kind);
  for (const std::string* s : {&c.id, &c.name, &c.parent, &c.detail}) {
    k += *s;
    k += '\0';
  }
  k += std::to_string(c.kernel_id);
  return k;
}

}  // namespace

struct FrameEncoder::State {
  std::unordered_map<uint16_t, uint32_t> metric_index;
  std::vector<MetricType> metric_types;
  std::unordered_map<std::string, uint32_t> component_index;
  std::map<std::vector<uint32_t>, uint32_t> shape_index;
  std::vector<std::vector<uint32_t>> shapes;
  codec::RoleState roles[kFrameRoles];
  std::vector<Series> series[kFrameRoles];
  std::map<HistKey, model::Log2Histogram> totals[kFrameRoles];

  // The frame being built and its role.
  pb::Frame* f = nullptr;
  int role = 0;

  uint32_t metric(model::MetricId id);
  uint32_t component(const model::Component& c);
  uint32_t shape_of(const model::Component& c, std::vector<uint32_t>& shape);
  void samples(const model::Component& c, uint32_t cidx, uint32_t sidx,
               const std::vector<uint32_t>& shape);
  void histograms(const model::Component& c, size_t position, uint32_t cidx);
};

uint32_t FrameEncoder::State::metric(model::MetricId id) {
  auto [it, added] = metric_index.try_emplace(static_cast<uint16_t>(id), metric_index.size());
  if (added) {
    const auto& info = model::info(id);
    auto* def = f->add_new_metrics();
    def->set_name(std::string(info.name));
    def->set_type(static_cast<uint32_t>(info.type));
    metric_types.push_back(info.type);
  }
  return it->second;
}

// The component's dictionary index, defining it in this frame when new.
uint32_t FrameEncoder::State::component(const model::Component& c) {
  auto [it, added] = component_index.try_emplace(component_key(c), component_index.size());
  if (added) {
    auto* def = f->add_new_components();
    def->set_kind(static_cast<uint32_t>(c.kind));
    def->set_id(c.id);
    def->set_name(c.name);
    def->set_parent(c.parent);
    def->set_detail(c.detail);
    def->set_kernel_id(c.kernel_id);
  }
  return it->second;
}

// The index of the component's shape (its metrics in order), defined when new.
uint32_t FrameEncoder::State::shape_of(const model::Component& c, std::vector<uint32_t>& shape) {
  shape.clear();
  for (const auto& smp : c.samples) shape.push_back(metric(smp.id));
  auto [it, added] = shape_index.try_emplace(shape, shapes.size());
  if (added) {
    shapes.push_back(shape);
    auto* def = f->add_new_shapes();
    for (uint32_t m : shape) def->add_metrics(m);
  }
  return it->second;
}

// One code per sample, against the component's previous values; a delta
// only when it is not the increase the decoder would predict.
void FrameEncoder::State::samples(const model::Component& c, uint32_t cidx, uint32_t sidx,
                                  const std::vector<uint32_t>& shape) {
  auto& by_component = series[role];
  if (by_component.size() <= cidx) by_component.resize(cidx + 1);
  Series& prev = by_component[cidx];
  Series next{sidx, {}, {}};
  next.values.reserve(shape.size());
  next.deltas.reserve(shape.size());
  for (size_t i = 0; i < c.samples.size(); ++i) {
    const auto& smp = c.samples[i];
    const Previous p = codec::previous_of(prev, sidx, i, shape[i], shapes);
    const ValueCode vc = encode_value(smp.value, p.value);
    const double pred = codec::predicted_delta(metric_types[shape[i]], p, smp.value);
    const bool explicit_delta = !same_bits(smp.delta, pred);
    f->add_codes(vc.code << 1 | (explicit_delta ? 1 : 0));
    if (vc.has_raw) f->add_raw(vc.raw);
    if (explicit_delta) {
      const ValueCode dc = encode_value(smp.delta, pred);
      f->add_delta_codes(dc.code);
      if (dc.has_raw) f->add_delta_raw(dc.raw);
    }
    next.values.push_back(smp.value);
    next.deltas.push_back(smp.delta);
  }
  prev = std::move(next);
}

// Interval deltas always; the total only when it is not the previous total
// plus this delta.
void FrameEncoder::State::histograms(const model::Component& c, size_t position, uint32_t cidx) {
  for (const auto& h : c.histograms) {
    const uint32_t m = metric(h.id);
    auto* out = f->add_histograms();
    out->set_component(static_cast<uint32_t>(position));
    out->set_metric(m);
    out->set_delta_first_slot(codec::trim_slots(h.delta, out->mutable_delta_slots()));
    out->set_delta_count_extra(static_cast<int64_t>(h.delta.count - codec::slot_sum(h.delta)));
    out->set_delta_sum_ns(h.delta.sum_ns);
    auto [tit, first_seen] = totals[role].try_emplace(HistKey{cidx, m});
    model::Log2Histogram expected = tit->second;
    expected += h.delta;
    if (first_seen || !(expected == h.total)) {
      out->set_total_explicit(true);
      out->set_total_first_slot(codec::trim_slots(h.total, out->mutable_total_slots()));
      out->set_total_count_extra(static_cast<int64_t>(h.total.count - codec::slot_sum(h.total)));
      out->set_total_sum_ns(h.total.sum_ns);
    }
    tit->second = h.total;
  }
}

FrameEncoder::FrameEncoder() : state_(std::make_unique<State>()) {}
FrameEncoder::~FrameEncoder() = default;
void FrameEncoder::reset() {
  state_ = std::make_unique<State>();
}

std::string FrameEncoder::encode(const model::Snapshot& s, FrameRole role,
                                 uint32_t samples_merged) {
  State& st = *state_;
  pb::Frame f;
  st.f = &f;
  st.role = static_cast<int>(role);
  codec::RoleState& rs = st.roles[st.role];
  f.set_role(static_cast<uint32_t>(role));
  f.set_time_delta_ns(rs.any ? s.time_ns - rs.time_ns : s.time_ns);
  f.set_seq_delta(static_cast<int64_t>(rs.any ? s.seq - rs.seq : s.seq));
  f.set_interval_s(s.interval_s);
  f.set_samples_merged(samples_merged);
  if (!rs.any || s.hostname != rs.hostname) f.set_hostname(s.hostname);

  std::vector<uint32_t> comps, shapes, shape;
  comps.reserve(s.components.size());
  shapes.reserve(s.components.size());
  for (size_t ci = 0; ci < s.components.size(); ++ci) {
    const model::Component& c = s.components[ci];
    const uint32_t cidx = st.component(c);
    const uint32_t sidx = st.shape_of(c, shape);
    comps.push_back(cidx);
    shapes.push_back(sidx);
    st.samples(c, cidx, sidx, shape);
    for (const auto& l : c.labeled) {
      auto* out = f.add_labeled();
      out->set_component(static_cast<uint32_t>(ci));
      out->set_metric(st.metric(l.id));
      out->set_label(l.label);
      out->set_value(l.value);
      out->set_delta(l.delta);
    }
    st.histograms(c, ci, cidx);
  }

  if (rs.any && comps == rs.components && shapes == rs.shapes) {
    f.set_same_components(true);
  } else {
    for (uint32_t c : comps) f.add_components(c);
    for (uint32_t sh : shapes) f.add_shapes(sh);
    rs.components = std::move(comps);
    rs.shapes = std::move(shapes);
  }
  rs.any = true;
  rs.time_ns = s.time_ns;
  rs.seq = s.seq;
  rs.hostname = s.hostname;
  st.f = nullptr;
  return f.SerializeAsString();
}

}  // namespace kpulse::record
