#include "record/downsampler.h"

#include <algorithm>

namespace kpulse::record {
namespace {

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

Downsampler::Downsampler(int64_t bucket_ns) : bucket_ns_(bucket_ns) {}

std::optional<Bucket> Downsampler::add(const model::Snapshot& s) {
  std::optional<Bucket> done;
  const int64_t bucket = floor_div(s.time_ns, bucket_ns_);
  if (bucket_ && *bucket_ != bucket) done = take();
  bucket_ = bucket;
  ++count_;
  interval_sum_ += s.interval_s;
  last_.seq = s.seq;
  last_.time_ns = s.time_ns;
  last_.hostname = s.hostname;

  for (const auto& c : s.components) {
    if (model::is_event_kind(c.kind)) {
      events_.push_back(c);
      continue;
    }
    auto [it, added] = comp_index_.try_emplace(c.key(), comps_.size());
    if (added) comps_.emplace_back();
    Comp& comp = comps_[it->second];
    comp.meta.kind = c.kind;
    comp.meta.id = c.id;
    comp.meta.name = c.name;
    comp.meta.parent = c.parent;
    comp.meta.detail = c.detail;
    comp.meta.kernel_id = c.kernel_id;
    for (const auto& smp : c.samples) {
      auto [sit, sadded] =
          comp.index.try_emplace(static_cast<uint16_t>(smp.id), comp.series.size());
      if (sadded) {
        Series x;
        x.id = smp.id;
        x.gauge = model::info(smp.id).type == model::MetricType::Gauge;
        x.min = x.max = smp.value;
        comp.series.push_back(x);
      }
      Series& x = comp.series[sit->second];
      x.sum += smp.value;
      x.min = std::min(x.min, smp.value);
      x.max = std::max(x.max, smp.value);
      x.last = smp.value;
      x.delta_sum += smp.delta;
      ++x.n;
    }
    for (const auto& l : c.labeled) {
      auto lit = std::find_if(comp.labeled.begin(), comp.labeled.end(),
                              [&](const auto& o) { return o.id == l.id && o.label == l.label; });
      if (lit == comp.labeled.end()) {
        comp.labeled.push_back(l);
      } else {
        lit->value = l.value;
        lit->delta += l.delta;
      }
    }
    for (const auto& h : c.histograms) {
      auto hit = std::find_if(comp.histograms.begin(), comp.histograms.end(),
                              [&](const auto& o) { return o.id == h.id; });
      if (hit == comp.histograms.end()) {
        comp.histograms.push_back(h);
      } else {
        hit->total = h.total;
        hit->delta += h.delta;
      }
    }
  }
  return done;
}

std::optional<Bucket> Downsampler::take() {
  if (!bucket_ || count_ == 0) return std::nullopt;
  Bucket b;
  b.samples_merged = count_;
  model::Snapshot head;
  head.seq = last_.seq;
  head.time_ns = last_.time_ns;
  head.interval_s = interval_sum_;
  head.hostname = last_.hostname;
  b.mean = head;
  b.min = head;
  b.max = head;
  for (auto& comp : comps_) {
    model::Component mean = comp.meta, lo = comp.meta, hi = comp.meta;
    for (const auto& x : comp.series) {
      if (x.gauge) {
        mean.samples.push_back({x.id, x.sum / x.n, 0});
        lo.samples.push_back({x.id, x.min, 0});
        hi.samples.push_back({x.id, x.max, 0});
      } else {
        mean.samples.push_back({x.id, x.last, x.delta_sum});
      }
    }
    mean.labeled = std::move(comp.labeled);
    mean.histograms = std::move(comp.histograms);
    if (!lo.samples.empty()) {
      b.min.components.push_back(std::move(lo));
      b.max.components.push_back(std::move(hi));
    }
    b.mean.components.push_back(std::move(mean));
  }
  for (auto& e : events_) b.mean.components.push_back(std::move(e));
  bucket_.reset();
  count_ = 0;
  interval_sum_ = 0;
  last_ = {};
  events_.clear();
  comps_.clear();
  comp_index_.clear();
  return b;
}

}  // namespace kpulse::record
