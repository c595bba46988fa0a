// The header every view shares: host, load, uptime, alerts; per-CPU meters;
// memory and swap; PSI; disk and network totals; kpulse's own cost.
#include <algorithm>
#include <cmath>
#include <ctime>

#include "tui/format.h"
#include "tui/frame_parts.h"
#include "tui/widgets.h"

namespace kpulse::tui::parts {
namespace {

using model::ComponentKind;
using model::MetricId;

// Local time of `time_ns` in strftime's `format`.
std::string local_time_text(int64_t time_ns, const char* format) {
  std::time_t t = static_cast<std::time_t>(time_ns / 1'000'000'000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

// A recording's moment needs its date; the live clock only the time of day.
std::string replay_time_text(int64_t time_ns) {
  return local_time_text(time_ns, "%Y-%m-%d %H:%M:%S");
}

std::string clock_text(int64_t time_ns) {
  return local_time_text(time_ns, "%H:%M:%S");
}

std::string fixed(double v, int decimals) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double rate(const model::Component* c, MetricId id, double interval_s) {
  return c ? c->rate(id, interval_s) : model::kNaN;
}

// Sum of a counter's rate over components of one kind. Interfaces: loopback
// is skipped (it double-counts local traffic), and so are other network
// namespaces' interfaces ("IFNAME@NETNS"): a veth pair would count twice.
double kind_rate(const model::Snapshot& s, ComponentKind kind, MetricId id) {
  double sum = 0;
  bool any = false;
  for (const auto& c : s.components) {
    if (c.kind != kind) continue;
    if (kind == ComponentKind::Interface && (c.id == "lo" || c.id.find('@') != std::string::npos))
      continue;
    double d = c.delta(id);
    if (std::isnan(d)) continue;
    sum += d;
    any = true;
  }
  return any ? model::rate_of(sum, s.interval_s) : model::kNaN;
}

void cpu_meters(const model::Snapshot& s, int width, const Glyphs& g, std::vector<Line>& out) {
  std::vector<const model::Component*> cpus;
  for (const auto& c : s.components)
    if (c.kind == ComponentKind::Cpu) cpus.push_back(&c);
  if (cpus.empty()) return;
  const int per_line = std::max(1, width / 26);
  const int lines = (int(cpus.size()) + per_line - 1) / per_line;
  if (lines > 4) {
    // Many CPUs: one glyph per CPU keeps the header short (like htop's
    // compact meters); the CPU view lists them in full.
    const int per_row = std::max(1, width - 6);
    for (size_t i = 0; i < cpus.size(); i += size_t(per_row)) {
      Line l;
      l.add(i == 0 ? "CPUs  " : "      ", Style::Title);
      for (size_t j = i; j < cpus.size() && j < i + size_t(per_row); ++j) {
        double u = cpus[j]->value(MetricId::CpuUtilization);
        int lvl = std::isnan(u)
                      ? 0
                      : int(std::ceil(std::clamp(u, 0.0, 1.0) * double(g.spark.size() - 1)));
        l.add(std::string(g.spark[size_t(lvl)]), level_style(u));
      }
      out.push_back(std::move(l));
    }
    return;
  }
  const int cell = width / per_line;
  for (int row = 0; row < lines; ++row) {
    Line l;
    for (int k = 0; k < per_line; ++k) {
      const size_t i = size_t(row) * size_t(per_line) + size_t(k);
      if (i >= cpus.size()) break;
      std::string label = fit_left(cpus[i]->id, 6, g.ellipsis);
      l.add(label, Style::Title);
      append_meter(l, cpus[i]->value(MetricId::CpuUtilization),
                   format_percent(cpus[i]->value(MetricId::CpuUtilization)), cell - 7, g);
      l.add(" ");
    }
    out.push_back(std::move(l));
  }
}

void memory_meters(const model::Component& host, int width, const Glyphs& g,
                   std::vector<Line>& out) {
  double total = host.value(MetricId::MemTotal), used = host.value(MetricId::MemUsed);
  double st = host.value(MetricId::SwapTotal), su = host.value(MetricId::SwapUsed);
  const int cell = width / 2;
  Line l;
  l.add("Mem   ", Style::Title);
  append_meter(l, total > 0 ? used / total : model::kNaN,
               format_bytes(used) + "/" + format_bytes(total), cell - 7, g);
  l.add(" ");
  l.add("Swp   ", Style::Title);
  append_meter(l, st > 0 ? su / st : 0, format_bytes(su) + "/" + format_bytes(st), cell - 7, g);
  out.push_back(std::move(l));
}

void totals_line(const model::Snapshot& s, const model::Component& host, std::vector<Line>& out) {
  auto psi = [&](MetricId id) {
    double v = host.value(id);
    return std::make_pair(format_percent(v), level_style(std::isnan(v) ? 0 : v * 4));
  };
  Line l;
  l.add("PSI ", Style::Title);
  for (auto [label, id] :
       {std::pair{"cpu ", MetricId::PsiCpuSomeAvg10}, std::pair{" io ", MetricId::PsiIoSomeAvg10},
        std::pair{" mem ", MetricId::PsiMemorySomeAvg10}}) {
    auto [text, style] = psi(id);
    l.add(label).add(text, style);
  }
  l.add("  Disk ", Style::Title);
  l.add("r " + format_bytes(kind_rate(s, ComponentKind::Disk, MetricId::DiskReadBytes)) + "/s w " +
        format_bytes(kind_rate(s, ComponentKind::Disk, MetricId::DiskWriteBytes)) + "/s");
  l.add("  Net ", Style::Title);
  l.add("rx " + format_bytes(kind_rate(s, ComponentKind::Interface, MetricId::IfRxBytes)) +
        "/s tx " + format_bytes(kind_rate(s, ComponentKind::Interface, MetricId::IfTxBytes)) +
        "/s");
  out.push_back(std::move(l));
}

void self_line(const model::Snapshot& s, std::vector<Line>& out) {
  const auto* a = s.find(ComponentKind::Agent, "kpulse");
  Line l;
  l.add("kpulse ", Style::Title);
  if (!a) {
    l.add("own cost not reported", Style::Dim);
    out.push_back(std::move(l));
    return;
  }
  double map_full = a->delta(MetricId::SelfMapFull);
  l.add("cpu " + format_percent(rate(a, MetricId::SelfCpuTime, s.interval_s)));
  l.add("  rss " + format_bytes(a->value(MetricId::SelfRss)));
  l.add("  events " + format_count(rate(a, MetricId::SelfEvents, s.interval_s)) + "/s");
  l.add("  map-full ");
  l.add(format_count(map_full),
        !std::isnan(map_full) && map_full > 0 ? Style::Crit : Style::Normal);
  l.add("  drain " + format_duration_s(a->value(MetricId::SelfDrainTime)));
  double dropped = a->delta(MetricId::SelfExportDropped);
  if (!std::isnan(dropped) && dropped > 0)
    l.add("  export-dropped " + format_count(dropped), Style::Warn);
  out.push_back(std::move(l));
}

// A piece of the title line with a rank: when the width runs out the
// highest ranks (clock, then uptime) go first; rank 0 always stays.
struct Piece {
  std::vector<Span> spans;
  int rank;
};

int piece_width(const Piece& p) {
  int w = 0;
  for (const auto& sp : p.spans) w += display_width(sp.text);
  return w;
}

// The title's pieces in display order.
std::vector<Piece> title_pieces(const FrameInput& in, const UiState& state) {
  std::vector<Piece> pieces;
  auto piece = [&](int rank, std::initializer_list<Span> spans) {
    pieces.push_back({spans, rank});
  };
  piece(0, {{"kpulse top", Style::Title}});
  piece(0, {{"  " + std::to_string(int(state.view)) + " " + std::string(view_title(state.view)),
             Style::Title}});
  if (state.paused) piece(0, {{" PAUSED", Style::Warn}});
  const model::Snapshot* s = in.snapshot;
  if (s) {
    piece(2, {{"  " + s->hostname, Style::Normal}});
    if (in.source != "live") piece(0, {{" [" + in.source + "]", Style::Warn}});
  }
  if (!in.analysis) {
    piece(0, {{"  alerts ", Style::Normal}, {"-", Style::Dim}});
  } else {
    const auto& alerts = in.analysis->alerts;
    piece(0, {{"  alerts ", Style::Normal},
              {std::to_string(alerts.size()), alerts.empty() ? Style::Good : Style::Crit}});
  }
  if (s) {
    if (const auto* host = s->host()) {
      piece(1, {{"  load " + fixed(host->value(MetricId::HostLoad1), 2) + " " +
                     fixed(host->value(MetricId::HostLoad5), 2) + " " +
                     fixed(host->value(MetricId::HostLoad15), 2),
                 Style::Normal}});
      piece(3, {{"  up " + format_uptime(host->value(MetricId::HostUptime)), Style::Normal}});
    }
    // In a replay the shown moment is the point of the screen: it stays.
    if (!in.source.starts_with("replay"))
      piece(4, {{"  " + clock_text(s->time_ns), Style::Normal}});
    else
      piece(0, {{"  " + replay_time_text(s->time_ns), Style::Title}});
  }
  return pieces;
}

// Drops pieces by rank until the title fits `width`; a replay's source
// label (a long recording path) then gives way, its start ("[replay") kept
// so the screen stays marked as not live.
void fit_title(std::vector<Piece>& pieces, int width, bool replay, const Glyphs& g) {
  int total = 0;
  for (const auto& p : pieces) total += piece_width(p);
  for (int rank = 4; rank > 0 && total > width; --rank)
    for (auto& p : pieces)
      if (p.rank == rank && !p.spans.empty()) {
        total -= piece_width(p);
        p.spans.clear();
      }
  if (!replay || total <= width) return;
  for (auto& p : pieces) {
    if (p.spans.size() != 1 || !p.spans[0].text.starts_with(" [")) continue;
    const int keep = std::max(8, display_width(p.spans[0].text) - (total - width));
    p.spans[0].text =
        fit_left(p.spans[0].text.substr(0, p.spans[0].text.size() - 1), keep - 1, g.ellipsis) + "]";
    break;
  }
}

}  // namespace

void header(const FrameInput& in, const UiState& state, int width, std::vector<Line>& out) {
  const Glyphs& g = *in.glyphs;
  const model::Snapshot* s = in.snapshot;
  std::vector<Piece> pieces = title_pieces(in, state);
  fit_title(pieces, width, s && in.source.starts_with("replay"), g);
  Line title;
  for (auto& p : pieces)
    for (auto& sp : p.spans) title.spans.push_back(std::move(sp));
  out.push_back(std::move(title));
  if (!s) {
    out.push_back(Line{}.add("waiting for the first snapshot…", Style::Dim));
    return;
  }
  cpu_meters(*s, width, g, out);
  if (const auto* host = s->host()) {
    memory_meters(*host, width, g, out);
    totals_line(*s, *host, out);
  }
  self_line(*s, out);
}

}  // namespace kpulse::tui::parts
