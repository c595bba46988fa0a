// The main table's columns: what each shows, computed from catalog metrics
// (MetricId), how it is formatted, and which views show it.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "model/snapshot.h"

namespace kpulse::tui {

enum class ColumnId : unsigned char {
  Name,
  CpuPct,
  RunqP50,
  RunqP99,
  IoOps,
  IoBytes,
  IoLatP99,
  NetBytes,
  Retransmits,
  ReclaimStall,
  MajorFaults,
  Pressure,
  CpuPressure,
  MemPressure,
  IoPressure,
  Memory,
  MemLimit,
  MemHigh,
  MemMax,
  MemOfLimit,
  CpuQuota,
  Throttled,
  Tasks,
};

enum class View : unsigned char {
  Overview = 1,
  Cpu,
  Disks,
  Network,
  Memory,
  Alerts,
  Forecasts,
  Profile
};
inline constexpr int kViewCount = 8;
std::string_view view_title(View v);

struct ColumnSpec {
  ColumnId id;
  std::string_view header;
  std::string_view help;  // one line for the sort menu and the detail view
  int width;              // display columns (Name: minimum width; it takes the slack)
  int priority;           // lower survives narrower terminals
};

const ColumnSpec& column(ColumnId id);
// Columns a view's table shows, in display order (Name first).
std::span<const ColumnId> view_columns(View v);

// The column's numeric value for a cgroup or process; NaN when the component
// does not carry the underlying metrics. Rates are per second of `interval_s`.
double column_value(ColumnId id, const model::Component& c, double interval_s);
std::string format_column(ColumnId id, double value);

}  // namespace kpulse::tui
