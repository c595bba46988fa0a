#include "exporters/naming.h"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <stdexcept>

#include "model/listeners_exits.h"

namespace kpulse::exporters {

std::optional<CatalogAttribute> parse_catalog_attribute(std::string_view text) {
  const size_t eq = text.find('=');
  if (text.empty() || eq == std::string_view::npos || eq == 0) return std::nullopt;
  return CatalogAttribute{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

std::string otlp_name(const model::MetricInfo& m) {
  if (!m.otel_name.empty()) return std::string(m.otel_name);
  return "kpulse." + std::string(m.name);
}

namespace {

struct FamilyIndex {
  std::vector<OtlpFamily> families;
  std::vector<size_t> by_metric;
};

FamilyIndex build_families() {
  FamilyIndex idx;
  idx.by_metric.resize(model::metric_count());
  for (const auto& m : model::all_metrics()) {
    const std::string name = otlp_name(m);
    size_t pos = idx.families.size();
    for (size_t i = 0; i < idx.families.size(); ++i)
      if (idx.families[i].name == name) pos = i;
    if (pos == idx.families.size()) {
      idx.families.push_back(
          {name, std::string(model::ucum(m.unit)), std::string(m.help), m.type, {}});
    } else if (idx.families[pos].type != m.type || idx.families[pos].unit != model::ucum(m.unit)) {
      // One OTLP metric has one type and unit; the catalog must agree.
      throw std::logic_error("metrics.def: " + std::string(m.name) + " shares OTLP name " + name +
                             " with a metric of another type or unit");
    }
    idx.families[pos].members.push_back(m.id);
    idx.by_metric[static_cast<size_t>(m.id)] = pos;
  }
  // A family with several members describes the semantic-convention metric,
  // not its first member.
  for (auto& f : idx.families)
    if (f.members.size() > 1) f.description += " (and the other " + f.name + " attribute values)";
  return idx;
}

const FamilyIndex& family_index() {
  static const FamilyIndex idx = build_families();
  return idx;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view prometheus_unit_suffix(model::Unit u) {
  switch (u) {
    case model::Unit::Seconds:
      return "_seconds";
    case model::Unit::Bytes:
      return "_bytes";
    case model::Unit::Ratio:
      return "_ratio";
    case model::Unit::Count:
      return "";
  }
  return "";
}

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

const std::vector<OtlpFamily>& otlp_families() {
  return family_index().families;
}

size_t otlp_family_index(model::MetricId id) {
  return family_index().by_metric[static_cast<size_t>(id)];
}

namespace {

std::string prometheus_base(const model::MetricInfo& m) {
  if (m.otel_attribute.empty()) return std::string(m.name);
  std::string_view n = m.otel_name;
  if (n.starts_with("system.")) n.remove_prefix(7);
  return std::string(n);
}

struct PrometheusIndex {
  std::vector<PrometheusFamily> families;
  std::vector<size_t> by_metric;
  std::vector<std::string> member_label;
  std::vector<uint32_t> scopes;
};

PrometheusIndex build_prometheus_families() {
  PrometheusIndex idx;
  idx.by_metric.resize(model::metric_count());
  idx.member_label.resize(model::metric_count());
  for (const auto& m : model::all_metrics()) {
    const std::string name = prometheus_name(m);
    size_t pos = idx.families.size();
    for (size_t i = 0; i < idx.families.size(); ++i)
      if (idx.families[i].name == name) pos = i;
    std::string key;
    if (auto attr = parse_catalog_attribute(m.otel_attribute)) {
      const size_t dot = attr->key.rfind('.');
      key = dot == std::string::npos ? attr->key : attr->key.substr(dot + 1);
      idx.member_label[size_t(m.id)] = attr->value;
    }
    if (pos == idx.families.size()) {
      PrometheusFamily f{name, std::string(m.help), m.type, key, {}, false};
      if (!key.empty()) f.help = std::string(m.otel_name) + " by " + key + ":";
      idx.families.push_back(std::move(f));
      idx.scopes.push_back(0);
    }
    auto& f = idx.families[pos];
    f.members.push_back(m.id);
    if (!key.empty())
      f.help += " " + idx.member_label[size_t(m.id)] + " (" + std::string(m.help) + ");";
    idx.scopes[pos] |= m.scopes;
    idx.by_metric[size_t(m.id)] = pos;
  }
  for (size_t i = 0; i < idx.families.size(); ++i) {
    auto& f = idx.families[i];
    if (!f.label_key.empty() && f.help.ends_with(';')) f.help.pop_back();
    const uint32_t s = idx.scopes[i];
    f.leveled = (s & (s - 1)) != 0;  // more than one component kind
  }
  return idx;
}

const PrometheusIndex& prometheus_index() {
  static const PrometheusIndex idx = build_prometheus_families();
  return idx;
}

// Strips a known runtime's prefix and suffix from a path segment, leaving a
// 64-hex container id, or returns "".
std::string container_from_segment(std::string_view seg) {
  for (std::string_view prefix : {"docker-", "cri-containerd-", "crio-", "libpod-", "containerd-"})
    if (seg.starts_with(prefix)) {
      seg.remove_prefix(prefix.size());
      break;
    }
  if (seg.ends_with(".scope")) seg.remove_suffix(6);
  if (seg.size() != 64) return {};
  for (char c : seg)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
  return std::string(seg);
}

}  // namespace

const std::vector<PrometheusFamily>& prometheus_families() {
  return prometheus_index().families;
}

size_t prometheus_family_index(model::MetricId id) {
  return prometheus_index().by_metric[size_t(id)];
}

const std::string& prometheus_member_label(model::MetricId id) {
  return prometheus_index().member_label[size_t(id)];
}

ContainerIdentity container_identity(std::string_view path) {
  ContainerIdentity out;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view seg = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    if (std::string id = container_from_segment(seg); !id.empty()) out.container_id = id;
    // kubepods-burstable-pod<uid>.slice (systemd driver) or pod<uid> (cgroupfs).
    size_t pod = std::string_view::npos;
    if (seg.starts_with("pod")) {
      pod = 0;
    } else if (seg.starts_with("kubepods") && seg.rfind("-pod") != std::string_view::npos) {
      pod = seg.rfind("-pod") + 1;
    }
    if (pod != std::string_view::npos) {
      std::string_view uid = seg.substr(pod + 3);
      if (uid.ends_with(".slice")) uid.remove_suffix(6);
      std::string u(uid);
      std::replace(u.begin(), u.end(), '_', '-');
      if (u.size() == 36 && u[8] == '-' && u[13] == '-') out.pod_uid = u;
    }
  }
  return out;
}

std::string prometheus_name(const model::MetricInfo& m) {
  std::string out = "kpulse_";
  for (char c : prometheus_base(m)) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  const std::string_view suffix = prometheus_unit_suffix(m.unit);
  if (!suffix.empty() && !ends_with(out, suffix)) out += suffix;
  if (m.type == model::MetricType::Counter) out += "_total";
  return out;
}

namespace {

// The text exposition format's escaping: backslash and newline always, the
// double quote inside label values only.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// "127.0.0.1:8080" -> {"127.0.0.1", 8080}; "[::]:22" -> {"::", 22}.
std::pair<std::string_view, std::optional<int64_t>> split_endpoint(std::string_view endpoint) {
  const size_t colon = endpoint.rfind(':');
  if (colon == std::string_view::npos) return {endpoint, std::nullopt};
  std::string_view host = endpoint.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return {host, parse_int(endpoint.substr(colon + 1))};
}

}  // namespace

void append_label_value(std::string& out, std::string_view value) {
  append_escaped(out, value, true);
}

void append_help_text(std::string& out, std::string_view text) {
  append_escaped(out, text, false);
}

std::vector<size_t> component_order(const std::vector<model::Component>& comps) {
  std::vector<size_t> order(comps.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (comps[a].kind != comps[b].kind) return comps[a].kind < comps[b].kind;
    return comps[a].id < comps[b].id;
  });
  return order;
}

std::vector<ComponentAttribute> component_attributes(const model::Component& c) {
  using K = model::ComponentKind;
  std::vector<ComponentAttribute> out;
  switch (c.kind) {
    case K::Host:
    case K::Agent:
      break;
    case K::Cpu: {
      // Ids are "cpu3"; the kernel index is the fallback for odd ids.
      std::string_view id = c.id;
      if (id.starts_with("cpu")) id.remove_prefix(3);
      auto n = parse_int(id);
      const int64_t cpu = n ? *n : static_cast<int64_t>(c.kernel_id);
      out.push_back({"cpu.logical_number", "cpu", std::to_string(cpu), cpu});
      break;
    }
    case K::Cgroup: {
      out.push_back({"kpulse.cgroup", "cgroup", c.id, std::nullopt});
      ContainerIdentity ci = container_identity(c.id);
      if (!ci.container_id.empty())
        out.push_back({"container.id", "container_id", std::move(ci.container_id), std::nullopt});
      if (!ci.pod_uid.empty())
        out.push_back({"k8s.pod.uid", "pod_uid", std::move(ci.pod_uid), std::nullopt});
      break;
    }
    case K::Process: {
      if (!c.id.starts_with("comm:")) {
        auto n = parse_int(c.id);
        const int64_t pid = n ? *n : static_cast<int64_t>(c.kernel_id);
        out.push_back({"process.pid", "pid", std::to_string(pid), pid});
      }
      out.push_back({"process.executable.name", "comm", c.name, std::nullopt});
      break;
    }
    case K::Disk:
      out.push_back({"system.device", "device", c.id, std::nullopt});
      break;
    case K::Interface:
      out.push_back({"network.interface.name", "interface", c.id, std::nullopt});
      break;
    case K::Listener: {
      // Identity only (netns, address, port): the owner is resolved lazily
      // and may change, which would split the series.
      const int64_t netns = static_cast<int64_t>(c.kernel_id);
      out.push_back({"kpulse.netns", "netns", std::to_string(netns), netns});
      const auto [host, port] = split_endpoint(model::listener_address(c));
      out.push_back({"network.local.address", "address", std::string(host), std::nullopt});
      if (port) out.push_back({"network.local.port", "port", std::to_string(*port), *port});
      break;
    }
    case K::Exited: {
      // Events, sent as log records (component_events.h), never as series.
      const int64_t pid = parse_int(c.id).value_or(0);
      out.push_back({"process.pid", "pid", std::to_string(pid), pid});
      out.push_back({"process.executable.name", "comm", c.name, std::nullopt});
      out.push_back({"kpulse.cgroup", "cgroup", c.parent, std::nullopt});
      break;
    }
  }
  return out;
}

}  // namespace kpulse::exporters
