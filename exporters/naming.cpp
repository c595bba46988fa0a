#include "exporters/naming.h"

#include <charconv>
#include <stdexcept>

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

std::string prometheus_name(const model::MetricInfo& m) {
  std::string out = "kpulse_";
  for (char c : m.name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  const std::string_view suffix = prometheus_unit_suffix(m.unit);
  if (!suffix.empty() && !ends_with(out, suffix)) out += suffix;
  if (m.type == model::MetricType::Counter) out += "_total";
  return out;
}

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void append_help_text(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
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
    case K::Cgroup:
      out.push_back({"kpulse.cgroup", "cgroup", c.id, std::nullopt});
      break;
    case K::Process: {
      auto n = parse_int(c.id);
      const int64_t pid = n ? *n : static_cast<int64_t>(c.kernel_id);
      out.push_back({"process.pid", "pid", std::to_string(pid), pid});
      out.push_back({"process.executable.name", "comm", c.name, std::nullopt});
      break;
    }
    case K::Disk:
      out.push_back({"system.device", "device", c.id, std::nullopt});
      break;
    case K::Interface:
      out.push_back({"network.interface.name", "interface", c.id, std::nullopt});
      break;
  }
  return out;
}

}  // namespace kpulse::exporters
