// The documented JSON form of a snapshot (schema "kpulse.snapshot/v2", see
// docs/snapshot-json.md). Field names only ever get added, never renamed,
// within a schema version. v2: listeners and exited tasks are components
// (kinds "listener", "exited"), no longer the "listeners"/"exited" arrays.
#pragma once

#include <nlohmann/json.hpp>

#include "model/snapshot.h"

namespace kpulse::model {

inline constexpr const char* kSnapshotJsonSchema = "kpulse.snapshot/v2";

nlohmann::json to_json(const Snapshot& s);
nlohmann::json to_json(const Component& c);
nlohmann::json to_json(const Log2Histogram& h);

}  // namespace kpulse::model
