#include "model/snapshot.h"

namespace kpulse::model {

const Sample* Component::find(MetricId id) const {
  for (const auto& s : samples)
    if (s.id == id) return &s;
  return nullptr;
}

const HistogramSample* Component::find_histogram(MetricId id) const {
  for (const auto& h : histograms)
    if (h.id == id) return &h;
  return nullptr;
}

double Component::value(MetricId id) const {
  const Sample* s = find(id);
  return s ? s->value : kNaN;
}

double Component::delta(MetricId id) const {
  const Sample* s = find(id);
  return s ? s->delta : kNaN;
}

double Component::rate(MetricId id, double interval_s) const {
  return rate_of(delta(id), interval_s);
}

double Component::reading(MetricId id, double interval_s) const {
  const Sample* s = find(id);
  return s ? reading_of(*s, interval_s) : kNaN;
}

double reading_of(const Sample& s, double interval_s) {
  return info(s.id).type == MetricType::Counter ? rate_of(s.delta, interval_s) : s.value;
}

double Component::interval_quantile_ns(MetricId id, double q) const {
  const HistogramSample* h = find_histogram(id);
  return h && h->delta.count > 0 ? h->delta.quantile_ns(q) : kNaN;
}

void Component::set_gauge(MetricId id, double v) {
  for (auto& s : samples)
    if (s.id == id) {
      s.value = v;
      s.delta = 0;
      return;
    }
  samples.push_back({id, v, 0});
}

void Component::set_counter(MetricId id, double total, double d) {
  for (auto& s : samples)
    if (s.id == id) {
      s.value = total;
      s.delta = d;
      return;
    }
  samples.push_back({id, total, d});
}

std::string Component::key() const {
  std::string k{to_string(kind)};
  k += ':';
  k += id;
  return k;
}

const Component* Snapshot::find(ComponentKind kind, std::string_view id) const {
  for (const auto& c : components)
    if (c.kind == kind && c.id == id) return &c;
  return nullptr;
}

}  // namespace kpulse::model
