// The component table: columns fitted to the width, tree guides, cursor.
#include <algorithm>
#include <cmath>

#include "tui/format.h"
#include "tui/frame_parts.h"
#include "tui/layout.h"

namespace kpulse::tui {

std::vector<ColumnId> fit_columns(View view, int width, int& name_width, ColumnId sort) {
  auto cols = view_columns(view);
  std::vector<ColumnId> by_priority;
  for (ColumnId c : cols)
    if (c != ColumnId::Name) by_priority.push_back(c);
  std::stable_sort(by_priority.begin(), by_priority.end(), [sort](ColumnId a, ColumnId b) {
    if ((a == sort) != (b == sort)) return a == sort;
    return column(a).priority < column(b).priority;
  });
  // The name column grows with the terminal: cgroup paths are long.
  const int name_min = std::clamp(width * 3 / 10, column(ColumnId::Name).width, 48);
  int used = name_min;
  std::vector<bool> keep(by_priority.size(), false);
  for (size_t i = 0; i < by_priority.size(); ++i) {
    int w = column(by_priority[i]).width + 1;
    if (used + w > width) continue;
    keep[i] = true;
    used += w;
  }
  // Slack beyond a readable path width stays blank at the right.
  name_width = std::max(1, std::min(name_min + (width - used), std::max(name_min, 60)));
  std::vector<ColumnId> out{ColumnId::Name};
  for (ColumnId c : cols) {
    auto it = std::find(by_priority.begin(), by_priority.end(), c);
    if (it != by_priority.end() && keep[size_t(it - by_priority.begin())]) out.push_back(c);
  }
  return out;
}

std::string row_label(const TableRow& row, bool tree, const Glyphs& g) {
  const model::Component& c = *row.component;
  std::string label;
  if (tree && row.depth > 0) {
    for (bool guide : row.guides) label += guide ? g.tree_pipe : g.tree_blank;
    label += row.last_child ? g.tree_last : g.tree_mid;
  }
  if (c.kind == model::ComponentKind::Process) {
    label += c.name + " [" + c.id + "]";
  } else {
    label += tree && !c.name.empty() ? c.name : c.id;
  }
  return label;
}

namespace parts {
namespace {

Style cell_style(ColumnId id, double v) {
  if (std::isnan(v)) return Style::Dim;
  switch (id) {
    case ColumnId::Pressure:
    case ColumnId::CpuPressure:
    case ColumnId::MemPressure:
    case ColumnId::IoPressure:
      return v >= 0.3 ? Style::Crit : v >= 0.1 ? Style::Warn : Style::Normal;
    case ColumnId::MemOfLimit:
      return v >= 0.9 ? Style::Crit : v >= 0.75 ? Style::Warn : Style::Normal;
    case ColumnId::Throttled:
    case ColumnId::ReclaimStall:
    case ColumnId::Retransmits:
      return v > 0 ? Style::Warn : Style::Normal;
    default:
      return Style::Normal;
  }
}

}  // namespace

void table(const FrameInput& in, const UiState& state, const std::vector<TableRow>& rows, int first,
           int count, int width, std::vector<Line>& out) {
  const Glyphs& g = *in.glyphs;
  int name_w = 0;
  const auto cols = fit_columns(state.view, width, name_w, state.sort);
  Line head;
  head.fill = Style::TableHeader;
  for (ColumnId c : cols) {
    const auto& spec = column(c);
    const Style st = c == state.sort ? Style::SortedHeader : Style::TableHeader;
    if (c == ColumnId::Name)
      head.add(fit_left(spec.header, name_w, g.ellipsis), st);
    else
      head.add(" ", Style::TableHeader).add(fit_right(spec.header, spec.width, g.ellipsis), st);
  }
  out.push_back(std::move(head));

  const double interval = in.snapshot ? in.snapshot->interval_s : 0;
  const int end = std::min<int>(int(rows.size()), first + count);
  for (int i = first; i < end; ++i) {
    const TableRow& row = rows[size_t(i)];
    const bool selected = i == state.cursor && state.mode != Mode::SortMenu;
    Line l;
    if (selected) l.fill = Style::Selected;
    const Style base = selected ? Style::Selected : row.context_only ? Style::Dim : Style::Normal;
    for (ColumnId c : cols) {
      if (c == ColumnId::Name) {
        std::string label = row_label(row, state.tree, g);
        // Flat cgroup paths keep their leaf when cut; names keep their start.
        if (!state.tree && row.component->kind == model::ComponentKind::Cgroup)
          label = truncate_left(label, name_w, g.ellipsis);
        l.add(fit_left(label, name_w, g.ellipsis), base);
        continue;
      }
      double v = column_value(c, *row.component, interval);
      l.add(" ", base);
      l.add(fit_right(format_column(c, v), column(c).width, g.ellipsis),
            selected || row.context_only ? base : cell_style(c, v));
    }
    out.push_back(std::move(l));
  }
}

}  // namespace parts
}  // namespace kpulse::tui
