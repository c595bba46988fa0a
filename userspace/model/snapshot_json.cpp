#include "model/snapshot_json.h"

#include <cmath>
#include <ctime>

namespace kpulse::model {
namespace {

std::string rfc3339(int64_t ns) {
  std::time_t secs = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, int((ns / 1000000) % 1000));
  return out;
}

// JSON has no NaN: absent values are omitted by callers, this guards the rest.
nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

}  // namespace

nlohmann::json to_json(const Log2Histogram& h) {
  nlohmann::json j;
  j["count"] = h.count;
  j["sum_ns"] = h.sum_ns;
  // Sparse slots: {"slot": count} where slot i covers [2^i, 2^(i+1)) ns.
  nlohmann::json slots = nlohmann::json::object();
  for (int i = 0; i < kHistogramSlots; ++i)
    if (h.slots[i]) slots[std::to_string(i)] = h.slots[i];
  j["slots"] = std::move(slots);
  if (h.count) {
    j["p50_ns"] = h.quantile_ns(0.50);
    j["p99_ns"] = h.quantile_ns(0.99);
    j["mean_ns"] = h.mean_ns();
  }
  return j;
}

nlohmann::json to_json(const Component& c) {
  nlohmann::json j;
  j["kind"] = std::string(to_string(c.kind));
  j["id"] = c.id;
  if (!c.name.empty()) j["name"] = c.name;
  if (!c.parent.empty()) j["parent"] = c.parent;
  if (!c.detail.empty()) j["detail"] = c.detail;
  if (c.kernel_id) j["kernel_id"] = c.kernel_id;
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& s : c.samples) {
    const MetricInfo& m = info(s.id);
    nlohmann::json v;
    v["value"] = number(s.value);
    if (m.type == MetricType::Counter) v["delta"] = number(s.delta);
    metrics[std::string(m.name)] = std::move(v);
  }
  j["metrics"] = std::move(metrics);
  if (!c.labeled.empty()) {
    nlohmann::json labeled = nlohmann::json::object();
    for (const auto& l : c.labeled)
      labeled[std::string(info(l.id).name)].push_back(
          {{"label", l.label}, {"value", number(l.value)}, {"delta", number(l.delta)}});
    j["labeled"] = std::move(labeled);
  }
  if (!c.histograms.empty()) {
    nlohmann::json hs = nlohmann::json::object();
    for (const auto& h : c.histograms)
      hs[std::string(info(h.id).name)] = {{"total", to_json(h.total)}, {"delta", to_json(h.delta)}};
    j["histograms"] = std::move(hs);
  }
  return j;
}

nlohmann::json to_json(const Snapshot& s) {
  nlohmann::json j;
  j["schema"] = kSnapshotJsonSchema;
  j["seq"] = s.seq;
  j["time"] = rfc3339(s.time_ns);
  j["time_ns"] = s.time_ns;
  j["interval_s"] = s.interval_s;
  j["hostname"] = s.hostname;
  nlohmann::json comps = nlohmann::json::array();
  for (const auto& c : s.components) comps.push_back(to_json(c));
  j["components"] = std::move(comps);
  return j;
}

}  // namespace kpulse::model
