#include "exporters/otlp_encoder.h"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "exporters/histogram_buckets.h"
#include "exporters/naming.h"
#include "exporters/resource.h"

namespace kpulse::exporters {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace metrics = opentelemetry::proto::metrics::v1;
namespace logs = opentelemetry::proto::logs::v1;

constexpr const char* kScopeName = "kpulse";

void add_string(google::protobuf::RepeatedPtrField<common::KeyValue>* attrs, std::string_view key,
                std::string_view value) {
  auto* kv = attrs->Add();
  kv->set_key(std::string(key));
  kv->mutable_value()->set_string_value(std::string(value));
}

void add_component(google::protobuf::RepeatedPtrField<common::KeyValue>* attrs,
                   const std::vector<ComponentAttribute>& component) {
  for (const auto& a : component) {
    auto* kv = attrs->Add();
    kv->set_key(std::string(a.otlp_key));
    if (a.int_value)
      kv->mutable_value()->set_int_value(*a.int_value);
    else
      kv->mutable_value()->set_string_value(a.value);
  }
}

void fill_resource(opentelemetry::proto::resource::v1::Resource* r, const KeyValues& resource) {
  for (const auto& [k, v] : resource) add_string(r->mutable_attributes(), k, v);
}

void fill_scope(common::InstrumentationScope* scope) {
  scope->set_name(kScopeName);
  scope->set_version(std::string(kpulse_version()));
}

// The convention's attribute for one catalog metric, parsed once.
const std::vector<std::optional<CatalogAttribute>>& catalog_attributes() {
  static const auto attrs = [] {
    std::vector<std::optional<CatalogAttribute>> v(model::metric_count());
    for (const auto& m : model::all_metrics())
      v[size_t(m.id)] = parse_catalog_attribute(m.otel_attribute);
    return v;
  }();
  return attrs;
}

struct Point {
  size_t component;  // rank in sorted order
  model::MetricId id;
  const model::Sample* sample = nullptr;
  const model::LabeledSample* labeled = nullptr;
  const model::HistogramSample* histogram = nullptr;
};

uint64_t unix_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec);
}

void fill_exponential(metrics::ExponentialHistogramDataPoint* dp, const model::Log2Histogram& src) {
  dp->set_scale(0);
  dp->set_count(bucket_total(src));
  dp->set_sum(double(src.sum_ns));
  int first = 0, last = model::kHistogramSlots - 1;
  while (first <= last && src.slots[first] == 0) ++first;
  while (last >= first && src.slots[last] == 0) --last;
  if (first > last) return;
  auto* pos = dp->mutable_positive();
  pos->set_offset(first);
  for (int i = first; i <= last; ++i) pos->add_bucket_counts(src.slots[i]);
}

// Every sample of the snapshot grouped by OTLP family; components ranked in
// the same stable order as the Prometheus view (by kind, then id).
struct FamilyPoints {
  std::vector<size_t> order;                           // component index by rank
  std::vector<std::vector<ComponentAttribute>> attrs;  // by rank
  std::vector<std::vector<Point>> by_family;           // by otlp_families() index
};

FamilyPoints group_by_family(const std::vector<model::Component>& comps) {
  FamilyPoints out;
  out.order = component_order(comps);
  out.by_family.resize(otlp_families().size());
  out.attrs.resize(comps.size());
  for (size_t rank = 0; rank < out.order.size(); ++rank) {
    const auto& c = comps[out.order[rank]];
    out.attrs[rank] = component_attributes(c);
    for (const auto& s : c.samples)
      if (!std::isnan(s.value)) out.by_family[otlp_family_index(s.id)].push_back({rank, s.id, &s});
    for (const auto& l : c.labeled)
      if (!std::isnan(l.value))
        out.by_family[otlp_family_index(l.id)].push_back({rank, l.id, nullptr, &l});
    for (const auto& h : c.histograms)
      out.by_family[otlp_family_index(h.id)].push_back({rank, h.id, nullptr, nullptr, &h});
  }
  return out;
}

// What every data point of one request shares: times, temporality and the
// components' attributes.
struct PointWriter {
  const std::vector<model::Component>& comps;
  const FamilyPoints& points;
  uint64_t now_ns = 0;
  uint64_t stream_start_ns = 0;
  uint64_t boot_ns = 0;  // 0: unknown
  bool delta = false;

  [[nodiscard]] metrics::AggregationTemporality temporality() const {
    return delta ? metrics::AGGREGATION_TEMPORALITY_DELTA
                 : metrics::AGGREGATION_TEMPORALITY_CUMULATIVE;
  }
  // Cumulative counters the kernel keeps since boot start at boot.
  [[nodiscard]] uint64_t start_of(const Point& p) const {
    if (delta || boot_ns == 0 || boot_ns > stream_start_ns) return stream_start_ns;
    return counts_since_boot(model::info(p.id), comps[points.order[p.component]].kind)
               ? boot_ns
               : stream_start_ns;
  }
  // The convention's attribute (cpu.mode=user, ...), the component's, the label.
  template <class DataPoint>
  void label(DataPoint* dp, const Point& p) const {
    auto* out = dp->mutable_attributes();
    if (const auto& ca = catalog_attributes()[size_t(p.id)]) add_string(out, ca->key, ca->value);
    add_component(out, points.attrs[p.component]);
    if (p.labeled) add_string(out, kOtlpLabelKey, p.labeled->label);
  }
  // Attributes and times of a point that has a start (sums, histograms).
  template <class DataPoint>
  void stamp(DataPoint* dp, const Point& p) const {
    label(dp, p);
    dp->set_start_time_unix_nano(start_of(p));
    dp->set_time_unix_nano(now_ns);
  }

  void gauge(metrics::Metric* metric, const std::vector<Point>& family) const {
    auto* g = metric->mutable_gauge();
    for (const auto& p : family) {
      auto* dp = g->add_data_points();
      label(dp, p);
      dp->set_time_unix_nano(now_ns);
      dp->set_as_double(p.labeled ? p.labeled->value : p.sample->value);
    }
  }

  void sum(metrics::Metric* metric, const std::vector<Point>& family) const {
    auto* s = metric->mutable_sum();
    s->set_aggregation_temporality(temporality());
    s->set_is_monotonic(true);
    for (const auto& p : family) {
      auto* dp = s->add_data_points();
      stamp(dp, p);
      const double v = p.labeled ? (delta ? p.labeled->delta : p.labeled->value)
                                 : (delta ? p.sample->delta : p.sample->value);
      dp->set_as_double(v);
    }
  }

  void exponential(metrics::Metric* metric, const std::vector<Point>& family) const {
    auto* h = metric->mutable_exponential_histogram();
    h->set_aggregation_temporality(temporality());
    for (const auto& p : family) {
      auto* dp = h->add_data_points();
      stamp(dp, p);
      fill_exponential(dp, delta ? p.histogram->delta : p.histogram->total);
    }
  }

  void explicit_buckets(metrics::Metric* metric, const std::vector<Point>& family) const {
    const auto bounds = explicit_bounds_seconds();
    auto* h = metric->mutable_histogram();
    h->set_aggregation_temporality(temporality());
    for (const auto& p : family) {
      const model::Log2Histogram& src = delta ? p.histogram->delta : p.histogram->total;
      auto* dp = h->add_data_points();
      stamp(dp, p);
      dp->set_count(bucket_total(src));
      dp->set_sum(sum_seconds(src));
      dp->mutable_bucket_counts()->Add(src.slots.begin(), src.slots.end());
      dp->mutable_explicit_bounds()->Add(bounds.begin(), bounds.end());
    }
  }
};

}  // namespace

uint64_t boot_time_ns() {
  const uint64_t now = unix_ns(CLOCK_REALTIME), up = unix_ns(CLOCK_BOOTTIME);
  return now > up ? now - up : 0;
}

bool counts_since_boot(const model::MetricInfo& m, model::ComponentKind kind) {
  using K = model::ComponentKind;
  if (m.type == model::MetricType::Gauge) return false;
  if (kind != K::Host && kind != K::Cpu && kind != K::Disk && kind != K::Interface) return false;
  const std::string_view n = m.name;
  // memory.reclaim_stall is a BPF measurement; the rest of these families are
  // /proc, /sys or PSI counters the kernel keeps from boot.
  if (n == "memory.reclaim_stall") return false;
  for (std::string_view p : {"cpu.time.", "host.", "memory.", "psi.", "disk.", "interface."})
    if (n.starts_with(p)) return true;
  return kind == K::Host && n == "tcp.listen_overflows";
}

OtlpMetricsEncoder::OtlpMetricsEncoder(OtlpEncoderOptions options) : options_(std::move(options)) {}

otlp_metrics::ExportMetricsServiceRequest OtlpMetricsEncoder::encode(
    const model::Snapshot& snapshot) {
  const uint64_t now_ns = static_cast<uint64_t>(std::max<int64_t>(snapshot.time_ns, 0));
  const uint64_t interval_ns = static_cast<uint64_t>(std::max(snapshot.interval_s, 0.0) * 1e9);
  const uint64_t interval_start_ns = now_ns > interval_ns ? now_ns - interval_ns : 0;
  // Cumulative series start when this stream first saw them; the sources'
  // own start (boot, cgroup creation) is not known per series.
  if (cumulative_start_ns_ == 0) cumulative_start_ns_ = interval_start_ns;
  const bool delta = options_.temporality == Temporality::Delta;

  const FamilyPoints points = group_by_family(snapshot.components);
  const PointWriter writer{.comps = snapshot.components,
                           .points = points,
                           .now_ns = now_ns,
                           .stream_start_ns = delta ? interval_start_ns : cumulative_start_ns_,
                           .boot_ns = options_.boot_time_ns,
                           .delta = delta};

  otlp_metrics::ExportMetricsServiceRequest req;
  auto* rm = req.add_resource_metrics();
  fill_resource(rm->mutable_resource(), options_.resource);
  auto* sm = rm->add_scope_metrics();
  fill_scope(sm->mutable_scope());

  const auto& families = otlp_families();
  for (size_t f = 0; f < families.size(); ++f) {
    const std::vector<Point>& family = points.by_family[f];
    if (family.empty()) continue;
    const OtlpFamily& fam = families[f];
    auto* metric = sm->add_metrics();
    metric->set_name(fam.name);
    const bool exponential = fam.type == model::MetricType::Histogram &&
                             options_.histograms == HistogramForm::Exponential;
    metric->set_unit(exponential ? "ns" : fam.unit);
    metric->set_description(fam.description);
    switch (fam.type) {
      case model::MetricType::Gauge:
        writer.gauge(metric, family);
        break;
      case model::MetricType::Counter:
        writer.sum(metric, family);
        break;
      case model::MetricType::Histogram:
        if (exponential)
          writer.exponential(metric, family);
        else
          writer.explicit_buckets(metric, family);
        break;
    }
  }
  return req;
}

otlp_logs::ExportLogsServiceRequest encode_events(std::span<const ExportEvent> events,
                                                  const KeyValues& resource) {
  otlp_logs::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  fill_resource(rl->mutable_resource(), resource);
  auto* sl = rl->add_scope_logs();
  fill_scope(sl->mutable_scope());
  for (const auto& e : events) {
    auto* r = sl->add_log_records();
    const uint64_t t = static_cast<uint64_t>(std::max<int64_t>(e.time_ns, 0));
    r->set_time_unix_nano(t);
    r->set_observed_time_unix_nano(t);
    switch (e.severity) {
      case EventSeverity::Debug:
        r->set_severity_number(logs::SEVERITY_NUMBER_DEBUG);
        r->set_severity_text("DEBUG");
        break;
      case EventSeverity::Info:
        r->set_severity_number(logs::SEVERITY_NUMBER_INFO);
        r->set_severity_text("INFO");
        break;
      case EventSeverity::Warn:
        r->set_severity_number(logs::SEVERITY_NUMBER_WARN);
        r->set_severity_text("WARN");
        break;
      case EventSeverity::Error:
        r->set_severity_number(logs::SEVERITY_NUMBER_ERROR);
        r->set_severity_text("ERROR");
        break;
      case EventSeverity::Fatal:
        r->set_severity_number(logs::SEVERITY_NUMBER_FATAL);
        r->set_severity_text("FATAL");
        break;
    }
    r->set_event_name(e.name);
    r->mutable_body()->set_string_value(e.body);
    for (const auto& [k, v] : e.attributes) add_string(r->mutable_attributes(), k, v);
  }
  return req;
}

}  // namespace kpulse::exporters
