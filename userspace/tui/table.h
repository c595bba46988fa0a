// The main table's rows: the cgroups and processes of a snapshot, filtered,
// sorted by a column, flat or as the cgroup tree.
#pragma once

#include <string>
#include <vector>

#include "model/snapshot.h"
#include "tui/columns.h"

namespace kpulse::tui {

struct TableOptions {
  ColumnId sort = ColumnId::CpuPct;
  bool descending = true;
  std::string filter;
  bool tree = false;
  bool show_processes = true;
};

struct TableRow {
  const model::Component* component;
  int depth = 0;            // tree depth (0 in flat mode)
  bool last_child = false;  // tree: no later sibling (draws └─ instead of ├─)
  // Tree: for each ancestor level, whether a vertical guide continues there.
  std::vector<bool> guides;
  bool context_only = false;  // shown as the ancestor of a filter match, not a match itself
};

// True when the filter (case-insensitive) occurs in the component's id, name or detail.
bool matches_filter(const model::Component& c, std::string_view filter);

// Rows in display order. Pointers refer into `snap`, which must outlive them.
std::vector<TableRow> build_table(const model::Snapshot& snap, const TableOptions& options);

}  // namespace kpulse::tui
