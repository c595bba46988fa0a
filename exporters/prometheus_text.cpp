#include "exporters/prometheus_text.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "exporters/histogram_buckets.h"
#include "exporters/naming.h"
#include "exporters/resource.h"

namespace kpulse::exporters {
namespace {

// Component labels rendered once per snapshot: `cgroup="/a",` style without
// braces, with a trailing comma when non-empty so more labels can follow.
std::string component_labels(const model::Component& c) {
  std::string out;
  for (const auto& a : component_attributes(c)) {
    out += a.prometheus_key;
    out += "=\"";
    append_label_value(out, a.value);
    out += "\",";
  }
  return out;
}

// Writes `{labels}` from a prefix ending in ',' (or empty) plus an optional
// extra pair already formatted; drops the trailing comma.
void append_label_set(std::string& out, std::string_view prefix, std::string_view extra) {
  if (prefix.empty() && extra.empty()) return;
  out += '{';
  if (extra.empty()) {
    out.append(prefix.substr(0, prefix.size() - 1));
  } else {
    out += prefix;
    out += extra;
  }
  out += '}';
}

struct Series {
  size_t component;  // index into the sorted component order
  model::MetricId id;
  const model::Sample* sample = nullptr;
  const model::LabeledSample* labeled = nullptr;
  const model::HistogramSample* histogram = nullptr;
};

void append_header(std::string& out, const PrometheusFamily& f) {
  out += "# HELP ";
  out += f.name;
  out += ' ';
  append_help_text(out, f.help);
  out += "\n# TYPE ";
  out += f.name;
  out += ' ';
  out += to_string(f.type);  // counter / gauge / histogram, as Prometheus spells them
  out += '\n';
}

void append_pair(std::string& out, std::string_view key, std::string_view value) {
  out += key;
  out += "=\"";
  append_label_value(out, value);
  out += "\",";
}

// The build as a constant 1 with its version, the usual way to join a
// version onto any series (`* on(instance) group_left(version)`).
void append_build_info(std::string& out) {
  out += "# HELP kpulse_build_info kpulse's version (always 1)\n# TYPE kpulse_build_info gauge\n";
  out += "kpulse_build_info{version=\"";
  append_label_value(out, kpulse_version());
  out += "\"} 1\n";
}

void append_histogram(std::string& out, const std::string& name, const std::string& labels,
                      const model::Log2Histogram& h) {
  const auto le = prometheus_le_values();
  uint64_t cumulative = 0;
  std::string extra;
  for (int i = 0; i < model::kHistogramSlots; ++i) {
    cumulative += h.slots[i];
    out += name;
    out += "_bucket";
    extra.assign("le=\"");
    extra += le[i];
    extra += '"';
    append_label_set(out, labels, extra);
    out += ' ';
    out += std::to_string(cumulative);
    out += '\n';
  }
  out += name;
  out += "_sum";
  append_label_set(out, labels, {});
  out += ' ';
  append_double(out, sum_seconds(h));
  out += '\n';
  out += name;
  out += "_count";
  append_label_set(out, labels, {});
  out += ' ';
  out += std::to_string(cumulative);
  out += '\n';
}

}  // namespace

void append_prometheus_text(std::string& out, const model::Snapshot& snapshot) {
  const auto& comps = snapshot.components;
  const std::vector<size_t> order = component_order(comps);

  const auto& families = prometheus_families();
  std::vector<std::string> labels(comps.size());
  std::vector<std::string_view> kinds(comps.size());
  std::vector<std::vector<Series>> by_family(families.size());
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const auto& c = comps[order[rank]];
    labels[rank] = component_labels(c);
    kinds[rank] = model::to_string(c.kind);
    for (const auto& s : c.samples)
      if (!std::isnan(s.value))
        by_family[prometheus_family_index(s.id)].push_back({rank, s.id, &s, nullptr, nullptr});
    for (const auto& l : c.labeled)
      if (!std::isnan(l.value))
        by_family[prometheus_family_index(l.id)].push_back({rank, l.id, nullptr, &l, nullptr});
    for (const auto& h : c.histograms)
      by_family[prometheus_family_index(h.id)].push_back({rank, h.id, nullptr, nullptr, &h});
  }

  std::string extra, prefix;
  for (size_t f = 0; f < families.size(); ++f) {
    auto& series = by_family[f];
    if (series.empty()) continue;
    const PrometheusFamily& fam = families[f];
    // Components are already in order; members and labeled samples too need theirs.
    std::stable_sort(series.begin(), series.end(), [](const Series& a, const Series& b) {
      if (a.component != b.component) return a.component < b.component;
      if (a.id != b.id) return a.id < b.id;
      if (a.labeled && b.labeled) return a.labeled->label < b.labeled->label;
      return false;
    });
    const std::string& name = fam.name;
    append_header(out, fam);
    for (const auto& s : series) {
      prefix = labels[s.component];
      if (fam.leveled) append_pair(prefix, kPrometheusLevelKey, kinds[s.component]);
      if (!fam.label_key.empty()) append_pair(prefix, fam.label_key, prometheus_member_label(s.id));
      if (s.histogram) {
        append_histogram(out, name, prefix, s.histogram->total);
        continue;
      }
      out += name;
      if (s.labeled) {
        extra.assign(kPrometheusLabelKey);
        extra += "=\"";
        append_label_value(extra, s.labeled->label);
        extra += '"';
        append_label_set(out, prefix, extra);
      } else {
        append_label_set(out, prefix, {});
      }
      out += ' ';
      append_double(out, s.labeled ? s.labeled->value : s.sample->value);
      out += '\n';
    }
  }
  // Nothing collected yet (a server before its first snapshot): no build either.
  if (!comps.empty()) append_build_info(out);
}

std::string prometheus_text(const model::Snapshot& snapshot) {
  std::string out;
  out.reserve(4096 + snapshot.components.size() * 1024);
  append_prometheus_text(out, snapshot);
  return out;
}

}  // namespace kpulse::exporters
