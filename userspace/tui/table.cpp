#include "tui/table.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace kpulse::tui {
namespace {

using model::Component;
using model::ComponentKind;

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

struct Keyed {
  const Component* c;
  double key;
};

// Sort with NaN (metric absent) always last, and ties broken by id so the
// order is stable from frame to frame.
void sort_rows(std::vector<Keyed>& rows, const TableOptions& o) {
  if (o.sort == ColumnId::Name) {
    std::sort(rows.begin(), rows.end(), [&](const Keyed& a, const Keyed& b) {
      const std::string& na = a.c->kind == ComponentKind::Cgroup ? a.c->id : a.c->name;
      const std::string& nb = b.c->kind == ComponentKind::Cgroup ? b.c->id : b.c->name;
      if (na != nb) return o.descending ? na > nb : na < nb;
      return a.c->id < b.c->id;
    });
    return;
  }
  std::sort(rows.begin(), rows.end(), [&](const Keyed& a, const Keyed& b) {
    bool an = std::isnan(a.key), bn = std::isnan(b.key);
    if (an != bn) return bn;
    if (!an && a.key != b.key) return o.descending ? a.key > b.key : a.key < b.key;
    if (a.c->kind != b.c->kind) return a.c->kind < b.c->kind;
    return a.c->id < b.c->id;
  });
}

}  // namespace

bool matches_filter(const Component& c, std::string_view filter) {
  return contains_ci(c.id, filter) || contains_ci(c.name, filter) || contains_ci(c.detail, filter);
}

std::vector<TableRow> build_table(const model::Snapshot& snap, const TableOptions& o) {
  std::vector<Keyed> rows;
  for (const auto& c : snap.components) {
    if (c.kind != ComponentKind::Cgroup && c.kind != ComponentKind::Process) continue;
    if (c.kind == ComponentKind::Process && !o.show_processes) continue;
    rows.push_back({&c, column_value(o.sort, c, snap.interval_s)});
  }

  if (!o.tree) {
    std::vector<TableRow> out;
    std::erase_if(rows, [&](const Keyed& k) { return !matches_filter(*k.c, o.filter); });
    sort_rows(rows, o);
    out.reserve(rows.size());
    for (const auto& k : rows) out.push_back({k.c});
    return out;
  }

  // Tree: children grouped under their parent cgroup, siblings sorted. A
  // filter keeps matches and the ancestors that lead to them.
  sort_rows(rows, o);
  std::unordered_map<std::string_view, const Component*> cgroups;
  for (const auto& k : rows)
    if (k.c->kind == ComponentKind::Cgroup) cgroups.emplace(k.c->id, k.c);
  std::unordered_map<const Component*, std::vector<const Component*>> children;
  std::vector<const Component*> roots;
  for (const auto& k : rows) {
    auto parent = cgroups.find(k.c->parent);
    if (k.c->parent.empty() || parent == cgroups.end())
      roots.push_back(k.c);
    else
      children[parent->second].push_back(k.c);
  }

  std::unordered_set<const Component*> visible;
  if (!o.filter.empty()) {
    for (const auto& k : rows) {
      if (!matches_filter(*k.c, o.filter)) continue;
      const Component* c = k.c;
      while (c && visible.insert(c).second) {
        auto p = cgroups.find(c->parent);
        c = p == cgroups.end() ? nullptr : p->second;
      }
    }
  }
  auto shown = [&](const Component* c) { return o.filter.empty() || visible.count(c); };

  std::vector<TableRow> out;
  out.reserve(rows.size());
  std::vector<bool> guides;
  std::function<void(const Component*, int, bool)> walk = [&](const Component* c, int depth,
                                                              bool last) {
    out.push_back({c, depth, last, guides, !o.filter.empty() && !matches_filter(*c, o.filter)});
    auto it = children.find(c);
    if (it == children.end()) return;
    std::vector<const Component*> kids;
    for (const Component* k : it->second)
      if (shown(k)) kids.push_back(k);
    // Cgroups before processes keeps the hierarchy readable.
    std::stable_partition(kids.begin(), kids.end(),
                          [](const Component* k) { return k->kind == ComponentKind::Cgroup; });
    if (depth > 0) guides.push_back(!last);
    for (size_t i = 0; i < kids.size(); ++i) walk(kids[i], depth + 1, i + 1 == kids.size());
    if (depth > 0) guides.pop_back();
  };
  std::vector<const Component*> top;
  for (const Component* r : roots)
    if (shown(r)) top.push_back(r);
  std::stable_partition(top.begin(), top.end(),
                        [](const Component* k) { return k->kind == ComponentKind::Cgroup; });
  for (size_t i = 0; i < top.size(); ++i) walk(top[i], 0, i + 1 == top.size());
  return out;
}

}  // namespace kpulse::tui
