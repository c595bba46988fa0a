#include "record/frame_codec.h"

#include <bit>
#include <map>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "kpulse_recording.pb.h"
#include "record/value_codec.h"

namespace kpulse::record {
namespace {

using model::MetricType;

constexpr uint32_t kNoShape = UINT32_MAX;

// The last frame of one role, which the next frame of that role is coded
// against.
struct RoleState {
  bool any = false;
  int64_t time_ns = 0;
  uint64_t seq = 0;
  std::string hostname;
  std::vector<uint32_t> components;
  std::vector<uint32_t> shapes;
  std::vector<model::Listener> listeners;
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

// Looks up the previous value of metric `metric` (dictionary index) at
// position `pos` of `shape`, in the component's previous series.
Previous previous_of(const Series& prev, uint32_t shape, size_t pos, uint32_t metric,
                     const std::vector<std::vector<uint32_t>>& shapes) {
  if (prev.shape == kNoShape) return {};
  if (prev.shape == shape) return {true, prev.values[pos], prev.deltas[pos]};
  const auto& old = shapes[prev.shape];
  for (size_t j = 0; j < old.size(); ++j)
    if (old[j] == metric) return {true, prev.values[j], prev.deltas[j]};
  return {};
}

double predicted_delta(MetricType type, const Previous& p, double value) {
  return (type == MetricType::Counter && p.found) ? value - p.value : 0.0;
}

bool same_bits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

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

// Stores the non-zero span of the slots; returns the index of its first slot.
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

}  // namespace

struct FrameEncoder::State {
  std::unordered_map<uint16_t, uint32_t> metric_index;
  std::vector<MetricType> metric_types;
  std::unordered_map<std::string, uint32_t> component_index;
  std::map<std::vector<uint32_t>, uint32_t> shape_index;
  std::vector<std::vector<uint32_t>> shapes;
  RoleState roles[kFrameRoles];
  std::vector<Series> series[kFrameRoles];
  std::map<HistKey, model::Log2Histogram> totals[kFrameRoles];

  uint32_t metric(model::MetricId id, pb::Frame& f) {
    auto [it, added] = metric_index.try_emplace(static_cast<uint16_t>(id), metric_index.size());
    if (added) {
      const auto& info = model::info(id);
      auto* def = f.add_new_metrics();
      def->set_name(std::string(info.name));
      def->set_type(static_cast<uint32_t>(info.type));
      metric_types.push_back(info.type);
    }
    return it->second;
  }
};

FrameEncoder::FrameEncoder() : state_(std::make_unique<State>()) {}
FrameEncoder::~FrameEncoder() = default;
void FrameEncoder::reset() {
  state_ = std::make_unique<State>();
}

std::string FrameEncoder::encode(const model::Snapshot& s, FrameRole role,
                                 uint32_t samples_merged) {
  State& st = *state_;
  const int r = static_cast<int>(role);
  RoleState& rs = st.roles[r];
  auto& series = st.series[r];
  pb::Frame f;
  f.set_role(static_cast<uint32_t>(role));
  f.set_time_delta_ns(rs.any ? s.time_ns - rs.time_ns : s.time_ns);
  f.set_seq_delta(static_cast<int64_t>(rs.any ? s.seq - rs.seq : s.seq));
  f.set_interval_s(s.interval_s);
  f.set_samples_merged(samples_merged);
  if (!rs.any || s.hostname != rs.hostname) f.set_hostname(s.hostname);

  std::vector<uint32_t> comps, shapes;
  comps.reserve(s.components.size());
  shapes.reserve(s.components.size());
  std::vector<uint32_t> shape;
  for (size_t ci = 0; ci < s.components.size(); ++ci) {
    const model::Component& c = s.components[ci];
    auto [cit, cadded] =
        st.component_index.try_emplace(component_key(c), st.component_index.size());
    const uint32_t cidx = cit->second;
    if (cadded) {
      auto* def = f.add_new_components();
      def->set_kind(static_cast<uint32_t>(c.kind));
      def->set_id(c.id);
      def->set_name(c.name);
      def->set_parent(c.parent);
      def->set_detail(c.detail);
      def->set_kernel_id(c.kernel_id);
    }
    shape.clear();
    for (const auto& smp : c.samples) shape.push_back(st.metric(smp.id, f));
    auto [sit, sadded] = st.shape_index.try_emplace(shape, st.shapes.size());
    if (sadded) {
      st.shapes.push_back(shape);
      auto* def = f.add_new_shapes();
      for (uint32_t m : shape) def->add_metrics(m);
    }
    const uint32_t sidx = sit->second;
    comps.push_back(cidx);
    shapes.push_back(sidx);

    if (series.size() <= cidx) series.resize(cidx + 1);
    Series& prev = series[cidx];
    Series next{sidx, {}, {}};
    next.values.reserve(shape.size());
    next.deltas.reserve(shape.size());
    for (size_t i = 0; i < c.samples.size(); ++i) {
      const auto& smp = c.samples[i];
      const Previous p = previous_of(prev, sidx, i, shape[i], st.shapes);
      const ValueCode vc = encode_value(smp.value, p.value);
      const double pred = predicted_delta(st.metric_types[shape[i]], p, smp.value);
      const bool explicit_delta = !same_bits(smp.delta, pred);
      f.add_codes(vc.code << 1 | (explicit_delta ? 1 : 0));
      if (vc.has_raw) f.add_raw(vc.raw);
      if (explicit_delta) {
        const ValueCode dc = encode_value(smp.delta, pred);
        f.add_delta_codes(dc.code);
        if (dc.has_raw) f.add_delta_raw(dc.raw);
      }
      next.values.push_back(smp.value);
      next.deltas.push_back(smp.delta);
    }
    prev = std::move(next);

    for (const auto& l : c.labeled) {
      auto* out = f.add_labeled();
      out->set_component(ci);
      out->set_metric(st.metric(l.id, f));
      out->set_label(l.label);
      out->set_value(l.value);
      out->set_delta(l.delta);
    }
    for (const auto& h : c.histograms) {
      const uint32_t m = st.metric(h.id, f);
      auto* out = f.add_histograms();
      out->set_component(ci);
      out->set_metric(m);
      out->set_delta_first_slot(trim_slots(h.delta, out->mutable_delta_slots()));
      out->set_delta_count_extra(static_cast<int64_t>(h.delta.count - slot_sum(h.delta)));
      out->set_delta_sum_ns(h.delta.sum_ns);
      auto [tit, first_seen] = st.totals[r].try_emplace(HistKey{cidx, m});
      model::Log2Histogram expected = tit->second;
      expected += h.delta;
      if (first_seen || !(expected == h.total)) {
        out->set_total_explicit(true);
        out->set_total_first_slot(trim_slots(h.total, out->mutable_total_slots()));
        out->set_total_count_extra(static_cast<int64_t>(h.total.count - slot_sum(h.total)));
        out->set_total_sum_ns(h.total.sum_ns);
      }
      auto& total = tit->second;
      total = h.total;
    }
  }

  if (rs.any && comps == rs.components && shapes == rs.shapes) {
    f.set_same_components(true);
  } else {
    for (uint32_t c : comps) f.add_components(c);
    for (uint32_t sh : shapes) f.add_shapes(sh);
    rs.components = std::move(comps);
    rs.shapes = std::move(shapes);
  }

  if (rs.any && s.listeners == rs.listeners) {
    f.set_same_listeners(true);
  } else {
    for (const auto& l : s.listeners) {
      auto* out = f.add_listeners();
      out->set_netns(l.netns);
      out->set_address(l.address);
      out->set_backlog(l.backlog);
      out->set_queued(l.queued);
      out->set_overflows(l.overflows);
      out->set_overflows_delta(l.overflows_delta);
      out->set_pid(l.pid);
      out->set_comm(l.comm);
      out->set_cgroup(l.cgroup);
    }
    rs.listeners = s.listeners;
  }
  for (const auto& e : s.exited) {
    auto* out = f.add_exited();
    out->set_pid(e.pid);
    out->set_tgid(e.tgid);
    out->set_comm(e.comm);
    out->set_cgroup(e.cgroup);
    out->set_lifetime_s(e.lifetime_s);
    out->set_cpu_time_s(e.cpu_time_s);
    out->set_major_faults(e.major_faults);
    out->set_minor_faults(e.minor_faults);
    out->set_read_bytes(e.read_bytes);
    out->set_write_bytes(e.write_bytes);
    out->set_exit_code(e.exit_code);
  }

  rs.any = true;
  rs.time_ns = s.time_ns;
  rs.seq = s.seq;
  rs.hostname = s.hostname;
  return f.SerializeAsString();
}

struct FrameDecoder::State {
  struct Metric {
    std::optional<model::MetricId> id;
    MetricType type = MetricType::Gauge;
  };
  std::vector<Metric> metrics;
  std::vector<model::Component> components;  // identity only
  std::vector<std::vector<uint32_t>> shapes;
  RoleState roles[kFrameRoles];
  std::vector<Series> series[kFrameRoles];
  std::map<HistKey, model::Log2Histogram> totals[kFrameRoles];
  std::vector<std::string> unknown;

  const Metric& metric(uint32_t m) const {
    if (m >= metrics.size()) throw std::runtime_error("metric index out of range");
    return metrics[m];
  }
};

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
  RoleState& rs = st.roles[r];
  auto& series = st.series[r];
  DecodedFrame out;
  out.role = static_cast<FrameRole>(f.role());
  out.samples_merged = f.samples_merged();
  model::Snapshot& s = out.snapshot;
  s.time_ns = rs.any ? rs.time_ns + f.time_delta_ns() : f.time_delta_ns();
  s.seq =
      rs.any ? rs.seq + static_cast<uint64_t>(f.seq_delta()) : static_cast<uint64_t>(f.seq_delta());
  s.interval_s = f.interval_s();
  s.hostname = f.hostname().empty() ? rs.hostname : f.hostname();

  for (const auto& def : f.new_metrics()) {
    State::Metric m;
    m.id = model::metric_by_name(def.name());
    m.type = static_cast<MetricType>(def.type());
    if (!m.id) st.unknown.push_back(def.name());
    st.metrics.push_back(m);
  }
  for (const auto& def : f.new_components()) {
    model::Component c;
    c.kind = static_cast<model::ComponentKind>(def.kind());
    c.id = def.id();
    c.name = def.name();
    c.parent = def.parent();
    c.detail = def.detail();
    c.kernel_id = def.kernel_id();
    st.components.push_back(std::move(c));
  }
  for (const auto& def : f.new_shapes()) {
    std::vector<uint32_t> shape(def.metrics().begin(), def.metrics().end());
    for (uint32_t m : shape) st.metric(m);
    st.shapes.push_back(std::move(shape));
  }
  if (!f.same_components()) {
    if (f.components_size() != f.shapes_size()) throw std::runtime_error("component list mismatch");
    rs.components.assign(f.components().begin(), f.components().end());
    rs.shapes.assign(f.shapes().begin(), f.shapes().end());
  } else if (!rs.any) {
    throw std::runtime_error("frame refers to a previous frame the block does not have");
  }

  int code_i = 0, raw_i = 0, dcode_i = 0, draw_i = 0;
  auto take = [](const auto& field, int& i) {
    if (i >= field.size()) throw std::runtime_error("sample stream too short");
    return field.Get(i++);
  };
  s.components.reserve(rs.components.size());
  std::vector<size_t> kept;  // frame position -> output index (or SIZE_MAX)
  for (size_t ci = 0; ci < rs.components.size(); ++ci) {
    const uint32_t cidx = rs.components[ci];
    const uint32_t sidx = rs.shapes[ci];
    if (cidx >= st.components.size() || sidx >= st.shapes.size())
      throw std::runtime_error("dictionary index out of range");
    const auto& shape = st.shapes[sidx];
    model::Component c = st.components[cidx];
    c.samples.reserve(shape.size());
    if (series.size() <= cidx) series.resize(cidx + 1);
    Series& prev = series[cidx];
    Series next{sidx, {}, {}};
    next.values.reserve(shape.size());
    next.deltas.reserve(shape.size());
    for (size_t i = 0; i < shape.size(); ++i) {
      const Previous p = previous_of(prev, sidx, i, shape[i], st.shapes);
      const uint64_t code = take(f.codes(), code_i);
      const uint64_t vcode = code >> 1;
      const uint64_t raw = code_needs_raw(vcode) ? take(f.raw(), raw_i) : 0;
      const double value = decode_value(vcode, raw, p.value);
      const auto& m = st.metric(shape[i]);
      double delta = predicted_delta(m.type, p, value);
      if (code & 1) {
        const uint64_t dcode = take(f.delta_codes(), dcode_i);
        const uint64_t draw = code_needs_raw(dcode) ? take(f.delta_raw(), draw_i) : 0;
        delta = decode_value(dcode, draw, delta);
      }
      next.values.push_back(value);
      next.deltas.push_back(delta);
      if (m.id) c.samples.push_back({*m.id, value, delta});
    }
    prev = std::move(next);
    s.components.push_back(std::move(c));
  }

  for (const auto& l : f.labeled()) {
    if (l.component() >= s.components.size())
      throw std::runtime_error("labeled sample without component");
    const auto& m = st.metric(l.metric());
    if (m.id)
      s.components[l.component()].labeled.push_back({*m.id, l.label(), l.value(), l.delta()});
  }
  for (const auto& h : f.histograms()) {
    if (h.component() >= s.components.size())
      throw std::runtime_error("histogram without component");
    const auto& m = st.metric(h.metric());
    model::HistogramSample hs;
    hs.delta = untrim_slots(h.delta_slots(), h.delta_first_slot(), h.delta_count_extra(),
                            h.delta_sum_ns());
    auto& total = st.totals[r][{rs.components[h.component()], h.metric()}];
    if (h.total_explicit()) {
      hs.total = untrim_slots(h.total_slots(), h.total_first_slot(), h.total_count_extra(),
                              h.total_sum_ns());
    } else {
      hs.total = total;
      hs.total += hs.delta;
    }
    total = hs.total;
    if (m.id) {
      hs.id = *m.id;
      s.components[h.component()].histograms.push_back(std::move(hs));
    }
  }

  if (f.same_listeners()) {
    s.listeners = rs.listeners;
  } else {
    for (const auto& l : f.listeners()) {
      model::Listener x;
      x.netns = l.netns();
      x.address = l.address();
      x.backlog = l.backlog();
      x.queued = l.queued();
      x.overflows = l.overflows();
      x.overflows_delta = l.overflows_delta();
      x.pid = l.pid();
      x.comm = l.comm();
      x.cgroup = l.cgroup();
      s.listeners.push_back(std::move(x));
    }
    rs.listeners = s.listeners;
  }
  for (const auto& e : f.exited()) {
    model::ExitedTask x;
    x.pid = e.pid();
    x.tgid = e.tgid();
    x.comm = e.comm();
    x.cgroup = e.cgroup();
    x.lifetime_s = e.lifetime_s();
    x.cpu_time_s = e.cpu_time_s();
    x.major_faults = e.major_faults();
    x.minor_faults = e.minor_faults();
    x.read_bytes = e.read_bytes();
    x.write_bytes = e.write_bytes();
    x.exit_code = e.exit_code();
    s.exited.push_back(std::move(x));
  }

  rs.any = true;
  rs.time_ns = s.time_ns;
  rs.seq = s.seq;
  rs.hostname = s.hostname;
  return out;
}

}  // namespace kpulse::record
