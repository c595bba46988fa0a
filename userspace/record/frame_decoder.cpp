// FrameDecoder (frame_codec.h): the inverse of frame_encoder.cpp, with the
// same block-scoped state, plus version-1 frames' listener and exited
// sections (frame_v1_sections.h).
#include <map>
#include <optional>
#include <stdexcept>

#include "record/frame_codec.h"
#include "record/frame_codec_state.h"
#include "record/frame_v1_sections.h"
#include "record/value_codec.h"

namespace kpulse::record {

namespace {

// Reads the frame's sample streams in order.
class SampleStreams {
 public:
  explicit SampleStreams(const pb::Frame& f) : f_(f) {}

  // The next value, coded against `previous`; whether a delta follows.
  std::pair<double, bool> value(double previous) {
    const uint64_t code = take(f_.codes(), code_);
    const uint64_t vcode = code >> 1;
    const uint64_t raw = code_needs_raw(vcode) ? take(f_.raw(), raw_) : 0;
    return {decode_value(vcode, raw, previous), (code & 1) != 0};
  }
  double delta(double predicted) {
    const uint64_t dcode = take(f_.delta_codes(), dcode_);
    const uint64_t draw = code_needs_raw(dcode) ? take(f_.delta_raw(), draw_) : 0;
    return decode_value(dcode, draw, predicted);
  }

 private:
  template <typename Field>
  static uint64_t take(const Field& field, int& i) {
    if (i >= field.size()) throw std::runtime_error("sample stream too short");
    return field.Get(i++);
  }
  const pb::Frame& f_;
  int code_ = 0, raw_ = 0, dcode_ = 0, draw_ = 0;
};

}  // namespace

struct FrameDecoder::State {
  struct Metric {
    std::optional<model::MetricId> id;
    model::MetricType type = model::MetricType::Gauge;
  };
  std::vector<Metric> metrics;
  std::vector<model::Component> components;  // identity only
  std::vector<std::vector<uint32_t>> shapes;
  codec::RoleState roles[kFrameRoles];
  std::vector<codec::Series> series[kFrameRoles];
  std::map<codec::HistKey, model::Log2Histogram> totals[kFrameRoles];
  std::vector<std::string> unknown;

  const Metric& metric(uint32_t m) const {
    if (m >= metrics.size()) throw std::runtime_error("metric index out of range");
    return metrics[m];
  }
  void read_dictionaries(const pb::Frame& f);
  void read_component_list(const pb::Frame& f, codec::RoleState& rs) const;
  model::Component component(uint32_t cidx, uint32_t sidx, int role, SampleStreams& in);
  void histograms(const pb::Frame& f, int role, model::Snapshot& s);
};

// New metrics, components and shapes the frame defines.
void FrameDecoder::State::read_dictionaries(const pb::Frame& f) {
  for (const auto& def : f.new_metrics()) {
    Metric m;
    m.id = model::metric_by_name(def.name());
    m.type = static_cast<model::MetricType>(def.type());
    if (!m.id) unknown.push_back(def.name());
    metrics.push_back(m);
  }
  for (const auto& def : f.new_components()) {
    if (def.kind() >= static_cast<uint32_t>(model::kComponentKinds))
      throw std::runtime_error("unknown component kind");
    model::Component c;
    c.kind = static_cast<model::ComponentKind>(def.kind());
    c.id = def.id();
    c.name = def.name();
    c.parent = def.parent();
    c.detail = def.detail();
    c.kernel_id = def.kernel_id();
    components.push_back(std::move(c));
  }
  for (const auto& def : f.new_shapes()) {
    std::vector<uint32_t> shape(def.metrics().begin(), def.metrics().end());
    for (uint32_t m : shape) metric(m);
    shapes.push_back(std::move(shape));
  }
}

void FrameDecoder::State::read_component_list(const pb::Frame& f, codec::RoleState& rs) const {
  if (!f.same_components()) {
    if (f.components_size() != f.shapes_size()) throw std::runtime_error("component list mismatch");
    rs.components.assign(f.components().begin(), f.components().end());
    rs.shapes.assign(f.shapes().begin(), f.shapes().end());
  } else if (!rs.any) {
    throw std::runtime_error("frame refers to a previous frame the block does not have");
  }
}

// Component `cidx` with its samples of shape `sidx`, read from the streams.
model::Component FrameDecoder::State::component(uint32_t cidx, uint32_t sidx, int role,
                                                SampleStreams& in) {
  if (cidx >= components.size() || sidx >= shapes.size())
    throw std::runtime_error("dictionary index out of range");
  const auto& shape = shapes[sidx];
  model::Component c = components[cidx];
  c.samples.reserve(shape.size());
  auto& by_component = series[role];
  if (by_component.size() <= cidx) by_component.resize(cidx + 1);
  codec::Series& prev = by_component[cidx];
  codec::Series next{sidx, {}, {}};
  next.values.reserve(shape.size());
  next.deltas.reserve(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) {
    const codec::Previous p = codec::previous_of(prev, sidx, i, shape[i], shapes);
    const auto [value, explicit_delta] = in.value(p.value);
    const auto& m = metric(shape[i]);
    double delta = codec::predicted_delta(m.type, p, value);
    if (explicit_delta) delta = in.delta(delta);
    next.values.push_back(value);
    next.deltas.push_back(delta);
    if (m.id) c.samples.push_back({*m.id, value, delta});
  }
  prev = std::move(next);
  return c;
}

void FrameDecoder::State::histograms(const pb::Frame& f, int role, model::Snapshot& s) {
  const codec::RoleState& rs = roles[role];
  for (const auto& h : f.histograms()) {
    if (h.component() >= s.components.size())
      throw std::runtime_error("histogram without component");
    const auto& m = metric(h.metric());
    model::HistogramSample hs;
    hs.delta = codec::untrim_slots(h.delta_slots(), h.delta_first_slot(), h.delta_count_extra(),
                                   h.delta_sum_ns());
    auto& total = totals[role][{rs.components[h.component()], h.metric()}];
    if (h.total_explicit()) {
      hs.total = codec::untrim_slots(h.total_slots(), h.total_first_slot(), h.total_count_extra(),
                                     h.total_sum_ns());
    } else {
      hs.total = total;
      hs.total += hs.delta;
    }
    total = hs.total;
    if (m.id) {
      hs.id = *m.id;
      s.components[h.component()].histograms.push_back(hs);
    }
  }
}

FrameDecoder::FrameDecoder() : state_(std::make_unique<State>()) {}
FrameDecoder::~FrameDecoder() = default;
const std::vector<std::string>& FrameDecoder::unknown_metrics() const {
  return state_->unknown;
}

DecodedFrame FrameDecoder::decode(const std::string& bytes) {
  State& st = *state_;
  pb::Frame f;
  if (!f.ParseFromString(bytes)) throw std::runtime_error("frame does not parse");
  if (f.role() >= kFrameRoles) throw std::runtime_error("unknown frame role");
  const int r = static_cast<int>(f.role());
  codec::RoleState& rs = st.roles[r];
  DecodedFrame out;
  out.role = static_cast<FrameRole>(f.role());
  out.samples_merged = f.samples_merged();
  model::Snapshot& s = out.snapshot;
  s.time_ns = rs.any ? rs.time_ns + f.time_delta_ns() : f.time_delta_ns();
  s.seq =
      rs.any ? rs.seq + static_cast<uint64_t>(f.seq_delta()) : static_cast<uint64_t>(f.seq_delta());
  s.interval_s = f.interval_s();
  s.hostname = f.hostname().empty() ? rs.hostname : f.hostname();

  st.read_dictionaries(f);
  st.read_component_list(f, rs);
  SampleStreams in(f);
  s.components.reserve(rs.components.size());
  for (size_t ci = 0; ci < rs.components.size(); ++ci)
    s.components.push_back(st.component(rs.components[ci], rs.shapes[ci], r, in));
  for (const auto& l : f.labeled()) {
    if (l.component() >= s.components.size())
      throw std::runtime_error("labeled sample without component");
    const auto& m = st.metric(l.metric());
    if (m.id)
      s.components[l.component()].labeled.push_back({*m.id, l.label(), l.value(), l.delta()});
  }
  st.histograms(f, r, s);
  codec::append_v1_sections(f, rs, s);

  rs.any = true;
  rs.time_ns = s.time_ns;
  rs.seq = s.seq;
  rs.hostname = s.hostname;
  return out;
}

}  // namespace kpulse::record
