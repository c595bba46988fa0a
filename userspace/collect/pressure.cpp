#include "collect/pressure.h"

#include <vector>

#include "collect/text_file.h"

namespace kpulse::collect {

using model::MetricId;

namespace {

struct PsiIds {
  MetricId some, full, some_avg10;
};

PsiIds ids_for(PsiResource r) {
  switch (r) {
    case PsiResource::Cpu:
      return {MetricId::PsiCpuSome, MetricId::PsiCpuFull, MetricId::PsiCpuSomeAvg10};
    case PsiResource::Memory:
      return {MetricId::PsiMemorySome, MetricId::PsiMemoryFull, MetricId::PsiMemorySomeAvg10};
    case PsiResource::Io:
      break;
  }
  return {MetricId::PsiIoSome, MetricId::PsiIoFull, MetricId::PsiIoSomeAvg10};
}

}  // namespace

bool parse_pressure(std::string_view text, PsiResource resource, model::Component& out,
                    std::string_view file, Problems* problems) {
  const PsiIds ids = ids_for(resource);
  bool any = false;
  FieldReader lines(text);
  while (lines.next()) {
    const auto& fields = lines.fields();
    const bool some = fields[0] == "some";
    if (!some && fields[0] != "full") {
      report(problems, file, lines.line_no(), "expected 'some' or 'full'");
      continue;
    }
    std::optional<double> avg10;
    std::optional<uint64_t> total_us;
    for (size_t i = 1; i < fields.size(); ++i) {
      auto f = fields[i];
      auto eq = f.find('=');
      if (eq == std::string_view::npos) continue;
      auto key = f.substr(0, eq), val = f.substr(eq + 1);
      if (key == "avg10") avg10 = parse_double(val);
      if (key == "total") total_us = parse_u64(val);
    }
    if (!total_us) {
      report(problems, file, lines.line_no(), "missing or malformed total=");
      continue;
    }
    out.set_counter(some ? ids.some : ids.full, static_cast<double>(*total_us) / 1e6, 0);
    if (some && avg10) out.set_gauge(ids.some_avg10, *avg10 / 100.0);
    any = true;
  }
  return any;
}

int read_pressure_files(const std::string& dir, std::string_view prefix, std::string_view suffix,
                        model::Component& out, Problems* problems) {
  static constexpr std::pair<std::string_view, PsiResource> kFiles[] = {
      {"cpu", PsiResource::Cpu}, {"memory", PsiResource::Memory}, {"io", PsiResource::Io}};
  int n = 0;
  std::string buf;
  for (const auto& [name, res] : kFiles) {
    std::string path = dir;
    path += '/';
    path += prefix;
    path += name;
    path += suffix;
    if (!read_file(path, buf)) continue;
    if (parse_pressure(buf, res, out, path, problems)) ++n;
  }
  return n;
}

}  // namespace kpulse::collect
