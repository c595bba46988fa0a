// Event components (model::is_event_kind: a task that exited) as export
// events, i.e. OTLP log records. Exporting them as series would make one
// series per pid, each living one interval; an operator wants the exit
// itself (what ran, where, how long, with which status), which a log record
// carries whole. Built from the catalog: the record's attributes are the
// component's identity attributes (naming.h) and one attribute per metric.
#pragma once

#include <vector>

#include "exporters/export_event.h"
#include "model/snapshot.h"

namespace kpulse::exporters {

// One event per event component, in snapshot order, named
// "kpulse.<kind>" ("kpulse.exited"), at the snapshot's time. Attributes:
// component_attributes() under their OTLP keys, then "kpulse.<metric>" for
// each sample ("kpulse.exited.cpu_time" = "0.29", in the catalog's base unit).
std::vector<ExportEvent> component_events(const model::Snapshot& snapshot);

}  // namespace kpulse::exporters
