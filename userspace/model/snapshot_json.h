// The documented JSON form of a snapshot (schema "kpulse.snapshot/v1", see
// docs/snapshot-json.md). Field names only ever get added, never renamed.
#pragma once

#include <nlohmann/json.hpp>

#include "model/snapshot.h"

namespace kpulse::model {

inline constexpr const char* kSnapshotJsonSchema = "kpulse.snapshot/v1";

nlohmann::json to_json(const Snapshot& s);
nlohmann::json to_json(const Component& c);
nlohmann::json to_json(const Log2Histogram& h);

}  // namespace kpulse::model
